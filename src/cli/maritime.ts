import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InputError, UserError } from '../errors.js';
import type { Finding } from '../findings/finding.js';
import { kindNames, parseKinds } from '../findings/kinds.js';
import { addZone, detectStore } from '../maritime/detect.js';
import { DETECTOR_KINDS } from '../maritime/events/index.js';
import { readUserZonesFile } from '../maritime/geo/zones.js';
import type { VesselRiskProfile } from '../maritime/risk/profile.js';
import { MARITIME_KINDS, topRiskFromStore, vesselRiskFromStore } from '../maritime/risk/store.js';
import { evaluate, formatEval } from '../maritime/simulate/eval.js';
import { nmeaLines, registryCsv, simulate } from '../maritime/simulate/generate.js';
import { SCENARIOS, type TruthEvent } from '../maritime/simulate/scenario.js';
import { OWNERSHIP_KINDS } from '../ownership/findings.js';
import { note, printTable, progress, withStore } from './context.js';
import { registerVesselShow } from './ownership.js';

/**
 * Maritime detection commands: `detect`, `findings`, `vessel risk`, `risk --top`, `zones`, `simulate`, `eval`.
 */

/** Kind names (short or full, from findings/kinds.ts, as GET /findings?kind= takes them); `allowed` narrows them. */
function parseKindList(s: string | undefined, opt: string, allowed?: readonly string[]): string[] | undefined {
  if (!s) return undefined;
  const kinds = parseKinds([s], opt, allowed);
  return kinds.length ? kinds : undefined;
}

function parseTime(s: string | undefined, opt: string): string | undefined {
  if (s === undefined) return undefined;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new UserError(`${opt}: "${s}" is not an ISO 8601 time (e.g. 2024-03-01T00:00:00Z)`);
  return new Date(ms).toISOString();
}

function parseFormat(s: string | undefined): 'jsonl' | 'table' | 'json' {
  const f = s ?? 'table';
  if (f !== 'jsonl' && f !== 'table' && f !== 'json')
    throw new UserError(`--format must be jsonl, json or table, got "${f}"`);
  return f;
}

function printFindings(findings: Finding[], format: 'jsonl' | 'table' | 'json'): void {
  if (format === 'jsonl') {
    for (const f of findings) process.stdout.write(`${JSON.stringify(f)}\n`);
    return;
  }
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
    return;
  }
  printTable(
    findings.map((f) => ({
      // The id first: what `cases add CASE finding ID`, `GET /findings/{id}` and the web's /finding/ID take.
      id: f.id,
      start: f.start.slice(0, 16),
      kind: f.kind.replace(/^ais\./, ''),
      vessels: (f.vessels ?? []).map((v) => `${v.mmsi}${v.name ? ` ${v.name}` : ''}`).join(' + '),
      score: f.score.toFixed(2),
      flags: f.redFlags.join(','),
      explanation: f.explanation,
    })),
  );
}

function printProfile(p: VesselRiskProfile): void {
  process.stdout.write(
    `${p.explanation}\nscore ${p.score.toFixed(3)} (${p.severity}); ${p.findingCount} finding(s): ${Object.entries(
      p.findingsByKind,
    )
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}\n`,
  );
  for (const f of p.factors) {
    process.stdout.write(
      `\n${f.code} — ${f.title}: ${f.score.toFixed(2)} (weight ${f.weight}, ${f.count} finding(s))\n  ${f.explanation}\n`,
    );
    for (const x of f.findings.slice(0, 5))
      process.stdout.write(`  - ${x.start.slice(0, 16)} ${x.kind} ${x.id} (score ${x.score})\n`);
    for (const e of f.evidence.slice(0, 4))
      process.stdout.write(`    evidence: ${e.source} ${e.record}${e.note ? ` (${e.note})` : ''}\n`);
  }
}

export function register(program: Command): void {
  program
    .command('detect')
    .description(
      'run the maritime detectors over the AIS data in the store (incremental: only new imports are processed)',
    )
    .option(
      '--kinds <list>',
      `comma-separated kinds (default all): ${DETECTOR_KINDS.map((k) => k.slice(4)).join(', ')}, sanctions_match, ${OWNERSHIP_KINDS.join(', ')}`,
    )
    .option('--since <iso>', 'run over positions from this time (ignores the watermark)')
    .option('--until <iso>', 'run over positions before this time (ignores the watermark)')
    .option('--full', 'ignore the watermark and re-run over all positions')
    .option('--zones <file>', 'extra GeoJSON zones (Polygon/MultiPolygon features) for this run')
    .option('--no-screen', 'do not screen vessels against the sanctions lists')
    .option('--format <fmt>', 'jsonl, json or table', 'table')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper detect\n  watchkeeper detect --full --kinds gap,encounter --format jsonl\n',
    )
    .action(async function (
      this: Command,
      o: {
        kinds?: string;
        since?: string;
        until?: string;
        full?: boolean;
        zones?: string;
        screen?: boolean;
        format?: string;
      },
    ) {
      const format = parseFormat(o.format);
      const kinds = parseKindList(o.kinds, '--kinds', [...MARITIME_KINDS, ...OWNERSHIP_KINDS]);
      const zones = o.zones ? readUserZonesFile(o.zones) : undefined;
      await withStore(this, async (store) => {
        const p = progress('detect');
        const r = await detectStore(store, {
          kinds,
          since: parseTime(o.since, '--since'),
          until: parseTime(o.until, '--until'),
          full: o.full,
          zones,
          screen: o.screen,
          log: (l) => note(`detect: ${l}`),
        });
        if (r.upToDate) {
          p.done('no new AIS imports since the last run (use --full to re-run)');
          return;
        }
        p.done(
          `${r.findings.length} finding(s) from ${r.positions.toLocaleString('en-US')} positions of ${r.vessels} vessel(s)` +
            `${r.window ? ` (${r.window.start} .. ${r.window.end})` : ''}`,
        );
        printFindings(r.findings, format);
      });
    });

  program
    .command('findings')
    .description('list stored findings with filters (maritime kinds unless --kind says otherwise)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  watchkeeper findings --kind encounter\n' +
        '  watchkeeper findings --mmsi 445123000 --since 2024-03-01 --format jsonl\n' +
        '  watchkeeper findings --red-flag SHIP_TO_SHIP_TRANSFER --min-score 0.7 --limit 20\n',
    )
    .option('--kind <list>', `comma-separated kinds, short or full names, as GET /findings?kind= takes: ${kindNames()}`)
    .option('--mmsi <mmsi>', 'findings naming this MMSI')
    .option('--since <iso>', 'findings starting at or after this time')
    .option('--until <iso>', 'findings starting before this time')
    .option('--min-score <x>', 'minimum score 0..1')
    .option('--red-flag <code>', 'findings carrying this red flag (e.g. SHIP_TO_SHIP_TRANSFER)')
    .option('--limit <n>', 'at most this many (newest first)', '100')
    .option('--format <fmt>', 'jsonl, json or table', 'table')
    .action(async function (
      this: Command,
      o: {
        kind?: string;
        mmsi?: string;
        since?: string;
        until?: string;
        minScore?: string;
        redFlag?: string;
        limit?: string;
        format?: string;
      },
    ) {
      const format = parseFormat(o.format);
      const limit = Number(o.limit ?? 100);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UserError(`--limit must be a positive integer, got "${o.limit}"`);
      const minScore = o.minScore === undefined ? undefined : Number(o.minScore);
      if (minScore !== undefined && !(minScore >= 0 && minScore <= 1))
        throw new UserError(`--min-score must be within 0..1, got "${o.minScore}"`);
      if (o.mmsi !== undefined && !/^\d{1,9}$/.test(o.mmsi))
        throw new UserError(`--mmsi must be up to 9 digits, got "${o.mmsi}"`);
      await withStore(this, async (store) => {
        const found = await store.queryFindings({
          kinds: parseKindList(o.kind, '--kind') ?? [...MARITIME_KINDS],
          subject: o.mmsi ? `ais-${Number(o.mmsi)}` : undefined,
          since: parseTime(o.since, '--since'),
          until: parseTime(o.until, '--until'),
          minScore,
          redFlag: o.redFlag,
          limit,
        });
        printFindings(found, format);
      });
    });

  const vessel = program
    .command('vessel')
    .description('vessel profiles from maritime findings')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper vessel risk 445123000\n  watchkeeper vessel risk IMO8660313 --json\n',
    );
  vessel
    .command('risk')
    .description('risk profile of a vessel: its findings combined into the May 2020 advisory red flags')
    .addHelpText(
      'after',
      '\nExamples:\n' + '  watchkeeper vessel risk 445123000\n' + '  watchkeeper vessel risk 8660313 --json\n',
    )
    .argument('<mmsi|imo>', '9-digit MMSI or 7-digit IMO number (all MMSIs that broadcast it)')
    .option('--json', 'print the profile as JSON')
    .action(async function (this: Command, key: string, o: { json?: boolean }) {
      await withStore(this, async (store) => {
        const p = await vesselRiskFromStore(store, key);
        if (o.json) process.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
        else printProfile(p);
      });
    });
  registerVesselShow(vessel);

  program
    .command('risk')
    .description('the riskiest vessels by their maritime findings')
    .addHelpText('after', '\nExamples:\n' + '  watchkeeper risk --top 10\n' + '  watchkeeper risk --top 50 --json\n')
    .option('--top <n>', 'how many vessels', '20')
    .option('--json', 'print the profiles as JSON')
    .action(async function (this: Command, o: { top?: string; json?: boolean }) {
      await withStore(this, async (store) => {
        const profiles = await topRiskFromStore(store, Number(o.top ?? 20));
        if (o.json) {
          process.stdout.write(`${JSON.stringify(profiles, null, 2)}\n`);
          return;
        }
        printTable(
          profiles.map((p, i) => ({
            rank: i + 1,
            mmsi: p.mmsis.join('/'),
            imo: p.imo ?? '',
            name: p.name ?? '',
            score: p.score.toFixed(3),
            flags: p.factors.map((f) => f.code).join(','),
            findings: p.findingCount,
          })),
        );
      });
    });

  program
    .command('zones')
    .description('list zones, or add a user GeoJSON zone (--add FILE --id ID [--name NAME])')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  watchkeeper zones\n' +
        '  watchkeeper zones --add nampo-approach.geojson --id nampo --name "Nampo approach"\n',
    )
    .option('--add <file>', 'GeoJSON Polygon/MultiPolygon (Feature, FeatureCollection or geometry)')
    .option('--id <id>', 'zone id for --add')
    .option('--name <name>', 'zone name for --add')
    .action(async function (this: Command, o: { add?: string; id?: string; name?: string }) {
      const { builtinZones, zoneSummary } = await import('../maritime/geo/zones.js');
      const { storedZones } = await import('../maritime/detect.js');
      await withStore(this, async (store) => {
        if (o.add) {
          if (!o.id) throw new UserError('zones --add needs --id');
          let text: string;
          try {
            text = readFileSync(o.add, 'utf8');
          } catch (e) {
            throw new InputError(`${o.add}: cannot read (${(e as Error).message})`);
          }
          await addZone(store, o.id, o.name ?? o.id, text);
        }
        const zones = [...builtinZones(), ...(await storedZones(store))].map((z) => zoneSummary(z));
        printTable(zones.map((z) => ({ id: z.id, kind: z.kind, name: z.name, reference: z.reference })));
      });
    });

  program
    .command('simulate')
    .description('write synthetic AIS (NMEA with tag-block times) for a scenario, with truth.json of injected events')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  watchkeeper simulate --out var/sim\n' +
        '  watchkeeper simulate --seed 7 --hours 24 --out var/sim-24h\n' +
        '  watchkeeper ais import var/sim/ais.nmea && watchkeeper detect && watchkeeper eval var/sim/truth.json\n' +
        '  watchkeeper simulate --scenario sale-reflag --out var/sale && watchkeeper ownership import var/sale/registry.csv\n',
    )
    .option('--scenario <name>', `one of ${SCENARIOS.join(', ')}`, 'yellow-sea')
    .option('--seed <n>', 'random seed', '1')
    .option('--hours <h>', 'scenario length in hours', '72')
    .option('--start <iso>', 'scenario start time', '2024-03-01T00:00:00Z')
    .requiredOption('--out <dir>', 'output directory (ais.nmea, truth.json, registry.csv)')
    .action(async (o: { scenario: string; seed: string; hours: string; start: string; out: string }) => {
      const seed = Number(o.seed);
      const hours = Number(o.hours);
      if (!Number.isInteger(seed)) throw new UserError(`--seed must be an integer, got "${o.seed}"`);
      if (!(hours > 0 && hours <= 24 * 14)) throw new UserError(`--hours must be within 1..336, got "${o.hours}"`);
      if (!(SCENARIOS as readonly string[]).includes(o.scenario))
        throw new UserError(`--scenario must be one of ${SCENARIOS.join(', ')}`);
      const start = parseTime(o.start, '--start')!;
      const p = progress('simulate');
      const sim = simulate(o.scenario, seed, { start, hours });
      mkdirSync(o.out, { recursive: true });
      const nmeaFile = path.join(o.out, 'ais.nmea');
      const out = createWriteStream(nmeaFile);
      let lines = 0;
      let buf: string[] = [];
      for (const l of nmeaLines(sim)) {
        buf.push(l);
        lines++;
        if (buf.length >= 10_000) {
          p.tick(lines);
          if (!out.write(`${buf.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
          buf = [];
        }
      }
      if (buf.length) out.write(`${buf.join('\n')}\n`);
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      const truth = {
        scenario: sim.scenario.name,
        seed,
        start: new Date(sim.scenario.startMs).toISOString(),
        end: new Date(sim.scenario.endMs).toISOString(),
        vessels: sim.scenario.vessels.map((v) => ({
          role: v.role,
          class: v.aisClass,
          shipType: v.shipType,
          identities: v.identities.map((i) => ({ ...i, from: new Date(i.fromMs).toISOString() })),
        })),
        events: sim.scenario.truth,
      };
      writeFileSync(path.join(o.out, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
      // The simulated ship-registry extract (owners and managers): `watchkeeper ownership import OUT/registry.csv`.
      writeFileSync(path.join(o.out, 'registry.csv'), registryCsv(sim.scenario));
      p.done(
        `${sim.positions.length.toLocaleString('en-US')} positions, ${sim.statics.length} static reports, ${lines.toLocaleString('en-US')} NMEA lines, ${sim.scenario.truth.filter((t) => t.injected).length} injected events → ${o.out}`,
      );
    });

  program
    .command('eval')
    .description('precision and recall of maritime findings per kind against a truth file (from `simulate`)')
    .argument('<truth.json>', 'truth file written by `watchkeeper simulate`')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  watchkeeper eval var/sim/truth.json\n' +
        '  watchkeeper eval var/sim/truth.json --tolerance-min 30 --show-misses\n' +
        '  watchkeeper eval var/sim/truth.json --findings findings.jsonl --json\n',
    )
    .option('--findings <file>', 'findings as JSON lines (default: the findings in the store)')
    .option('--tolerance-min <m>', 'time tolerance when matching, minutes', '60')
    .option('--json', 'print the scores as JSON')
    .option('--show-misses', 'list missed truth events and false positives')
    .action(async function (
      this: Command,
      truthFile: string,
      o: { findings?: string; toleranceMin?: string; json?: boolean; showMisses?: boolean },
    ) {
      let truth: { events?: TruthEvent[] };
      try {
        truth = JSON.parse(readFileSync(truthFile, 'utf8')) as { events?: TruthEvent[] };
      } catch (e) {
        throw new InputError(`${truthFile}: cannot read truth JSON (${(e as Error).message})`);
      }
      if (!Array.isArray(truth.events))
        throw new InputError(`${truthFile}: no "events" array (write it with \`watchkeeper simulate\`)`);
      const tol = Number(o.toleranceMin ?? 60) * 60_000;
      const run = (findings: Finding[]) => {
        const scores = evaluate(findings, truth.events!, { toleranceMs: tol });
        if (o.json) {
          process.stdout.write(
            `${JSON.stringify(
              scores.map(({ missed, falsePositives, ...s }) => ({
                ...s,
                missed: missed.length,
                falsePositives: falsePositives.length,
              })),
              null,
              2,
            )}\n`,
          );
          return;
        }
        process.stdout.write(`${formatEval(scores)}\n`);
        if (o.showMisses)
          for (const s of scores) {
            if (!s.truth) continue;
            for (const m of s.missed)
              process.stdout.write(`missed ${m.kind} ${m.mmsis.join('+')} ${m.start}: ${m.note}\n`);
            for (const f of s.falsePositives)
              process.stdout.write(`false positive ${f.kind} ${f.start}: ${f.explanation}\n`);
          }
      };
      if (o.findings) {
        const lines = readFileSync(o.findings, 'utf8').split('\n').filter(Boolean);
        run(
          lines.map((l, i) => {
            try {
              return JSON.parse(l) as Finding;
            } catch {
              throw new InputError(`${o.findings}:${i + 1}: not a JSON finding`);
            }
          }),
        );
        return;
      }
      // The ownership kinds too: the sale-reflag scenario's truth holds acquisitions, exposures and front companies.
      await withStore(this, async (store) =>
        run(await store.queryFindings({ kinds: [...MARITIME_KINDS, ...OWNERSHIP_KINDS] })),
      );
    });
}
