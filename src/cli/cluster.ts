import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { planRun, runProgress, runWorker } from '../cluster/detect-queue.js';
import { GRID_DEFAULTS } from '../cluster/encounter-units.js';
import { UserError } from '../errors.js';
import { dbLocation, withStore } from './context.js';

/**
 * `watchkeeper cluster detect --workers N` plans a detection run (MMSI-range work units in the job table, then
 * encounter units by grid cell × time slot) and starts N `cluster detect-worker` processes against the same store;
 * `cluster detect-worker` takes units until none is left (run it on any machine that reaches the coordinator).
 * docs/cluster.md.
 */
export function register(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('detection spread over worker processes (PostgreSQL / Citus store)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper --db postgres://coordinator/wk cluster detect --workers 4\n  watchkeeper --db postgres://coordinator/wk cluster detect-worker\n',
    );
  cluster
    .command('detect')
    .description('plan a run of every AIS detector as work units and run N worker processes on them')
    .option('--workers <n>', 'worker processes to start here (0: only plan; start workers elsewhere)', '2')
    .option('--unit-positions <n>', 'positions per work unit (about)', '2000000')
    .option('--min-units <n>', 'at least this many units (default: 4 per worker)')
    .option('--lease <seconds>', 'a unit whose worker is silent this long is taken again', '600')
    .option('--cell-deg <degrees>', 'encounter units: grid cell side in degrees', String(GRID_DEFAULTS.cellDeg))
    .option('--slot-hours <hours>', 'encounter units: time slot in hours (a multiple of 10 minutes)', '6')
    .option('--cell-points <n>', 'encounter units: resampled points per unit (about)', String(GRID_DEFAULTS.unitPoints))
    .option(
      '--since <time>',
      'incremental: re-run only the vessels with positions from this time on (ISO 8601 or epoch ms) and the encounter cells they reach',
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper --db postgres://coordinator/wk cluster detect --workers 4\n  watchkeeper --db postgres://coordinator/wk cluster detect --workers 0 --unit-positions 500000\n  watchkeeper --db postgres://coordinator/wk cluster detect --cell-deg 1 --slot-hours 12\n  watchkeeper --db postgres://coordinator/wk cluster detect --since 2024-03-02T00:00:00Z\n',
    )
    .action(async function (
      this: Command,
      o: {
        workers: string;
        unitPositions: string;
        minUnits?: string;
        lease: string;
        cellDeg: string;
        slotHours: string;
        cellPoints: string;
        since?: string;
        json?: boolean;
      },
    ) {
      const workers = Number(o.workers);
      if (!Number.isInteger(workers) || workers < 0) throw new UserError(`--workers: a whole number, got ${o.workers}`);
      const cellDeg = Number(o.cellDeg);
      if (!(cellDeg >= 0.01 && cellDeg <= 90)) throw new UserError(`--cell-deg: 0.01 to 90 degrees, got ${o.cellDeg}`);
      const blockSlots = Number(o.slotHours) * 6;
      if (!(Number.isInteger(blockSlots) && blockSlots >= 1))
        throw new UserError(`--slot-hours: a positive multiple of 10 minutes, got ${o.slotHours}`);
      let sinceMs: number | undefined;
      if (o.since !== undefined) {
        sinceMs = /^\d+$/.test(o.since) ? Number(o.since) : Date.parse(o.since);
        if (!Number.isFinite(sinceMs))
          throw new UserError(`--since: an ISO 8601 time or epoch milliseconds, got ${o.since}`);
      }
      const unitPoints = Number(o.cellPoints);
      if (!(Number.isInteger(unitPoints) && unitPoints >= 1))
        throw new UserError(`--cell-points: a positive whole number, got ${o.cellPoints}`);
      const url = dbLocation(this);
      const run = await withStore(this, async (s) => {
        if (s.kind !== 'postgres' && workers > 1)
          throw new UserError('--workers > 1 needs a PostgreSQL store (DuckDB allows one process)');
        return planRun(s, {
          unitPositions: Number(o.unitPositions),
          minUnits: o.minUnits ? Number(o.minUnits) : Math.max(1, workers * 4),
          grid: { cellDeg, blockSlots, unitPoints },
          ...(sinceMs !== undefined ? { sinceMs } : {}),
        });
      });
      if (run.fullBecause) process.stderr.write(`--since: running every vessel: ${run.fullBecause}\n`);
      process.stderr.write(`run ${run.runId}: ${run.units.length} units\n`);
      const t0 = Date.now();
      const codes = await Promise.all(
        Array.from(
          { length: workers },
          (_, i) =>
            new Promise<number>((resolve) => {
              const child = spawn(
                process.execPath,
                // execArgv: the same loader flags as this process (tsx when run from the sources).
                [
                  ...process.execArgv,
                  process.argv[1] as string,
                  '--db',
                  url,
                  'cluster',
                  'detect-worker',
                  '--lease',
                  o.lease,
                ],
                {
                  stdio: ['ignore', 'ignore', 'inherit'],
                  env: { ...process.env, WATCHKEEPER_WORKER_INDEX: String(i) },
                },
              );
              child.on('exit', (code) => resolve(code ?? 1));
            }),
        ),
      );
      const progress = await withStore(this, (s) => runProgress(s, run.runId));
      const out = {
        runId: run.runId,
        units: run.units.length,
        incremental: run.sinceMs !== undefined,
        ...(run.fullBecause ? { fullBecause: run.fullBecause } : {}),
        progress,
        workers,
        exitCodes: codes,
        wallMs: Date.now() - t0,
      };
      process.stdout.write(
        o.json
          ? `${JSON.stringify(out)}\n`
          : `run ${run.runId}: ${run.units.length} units, ${JSON.stringify(progress)}, ${workers} workers, ${out.wallMs} ms\n`,
      );
      if (codes.some((c) => c !== 0)) process.exitCode = 1;
    });
  cluster
    .command('detect-worker')
    .description('take detection work units from the job table until none is left')
    .option('--lease <seconds>', 'lease per unit (renewed when the unit is written)', '600')
    .option('--json', 'print the worker totals as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper --db postgres://coordinator/wk cluster detect-worker\n  watchkeeper --db postgres://coordinator/wk cluster detect-worker --lease 120\n',
    )
    .action(async function (this: Command, o: { lease: string; json?: boolean }) {
      const leaseMs = Number(o.lease) * 1000;
      if (!(leaseMs > 0)) throw new UserError(`--lease: seconds, got ${o.lease}`);
      await withStore(this, async (s) => {
        const stats = await runWorker(s, { leaseMs, log: (l) => process.stderr.write(`${l}\n`) });
        const cpu = process.cpuUsage();
        const out = { ...stats, cpuS: (cpu.user + cpu.system) / 1e6 };
        process.stdout.write(o.json ? `${JSON.stringify(out)}\n` : `${JSON.stringify(out)}\n`);
      });
    });
}
