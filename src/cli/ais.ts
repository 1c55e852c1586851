import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputError, NotFoundError, UserError } from '../errors.js';
import type { CsvField } from '../ingest/ais-csv.js';
import { GPSD_COMPAT } from '../maritime/ais/json-out.js';
import type { AisCounters, BadLine } from '../maritime/ais/nmea.js';
import { decodeToStream, openMaybeGzip } from '../maritime/ais/stream.js';
import type { AisImportSummary } from '../maritime/store/import-session.js';

// Only the decoder is imported up front: `ais decode` must not load the store (DuckDB, pg) or the live ingest.
// The other actions import what they need when they run.

/** One line summarising what the decoder read and what it could not decode. */
export function countersLine(c: AisCounters): string {
  return (
    `${c.messages} messages from ${c.lines} lines (${c.decodedSentences} AIS sentences, ${c.otherSentences} other sentences, ` +
    `${c.timeLines} time lines, ${c.blank} blank); not decoded: bad checksum ${c.badChecksum}, malformed ${c.malformed}, ` +
    `incomplete multi-part ${c.incomplete}, unknown type ${c.unknownType}, too short ${c.tooShort}`
  );
}

/** Parse an ISO-8601 time (or unix seconds) given on the command line. */
function parseTimeOption(s: string, name: string): number {
  const t = /^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  if (Number.isNaN(t)) throw new UserError(`${name}: "${s}" is not an ISO-8601 time (e.g. 2024-05-01T00:00:00Z)`);
  return t;
}

/** CSV or NMEA? Looks at the first bytes (after gunzip). */
async function looksLikeCsv(file: string): Promise<boolean> {
  const stream = await openMaybeGzip(file);
  for await (const chunk of stream) {
    const head = chunk.subarray(0, 4096).toString('latin1');
    (stream as unknown as { destroy?: () => void }).destroy?.();
    const first = head.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
    return !/[!$\\]/.test(first) && first.includes(',') && /[a-z]/i.test(first);
  }
  return false;
}

/** "line 3: malformed: why" (as the import's error names bad lines). */
function badLineText(b: BadLine): string {
  return `line ${b.line}: ${b.kind === 'badChecksum' ? 'bad checksum' : b.kind}: ${b.reason}`;
}

function printSummary(s: AisImportSummary & { badLines?: BadLine[] }, json: boolean, verbose = false): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(s)}\n`);
    return;
  }
  if (!s.created) {
    process.stdout.write(`${s.location}: already imported (${s.importId}); nothing written\n`);
    return;
  }
  const r = s.rows;
  process.stdout.write(
    `${s.location}: ${s.positions} positions, ${s.staticRows} static rows, ${s.identities} identities, ` +
      `${s.vessels} vessels (${s.statements} new statements) in ${s.seconds.toFixed(1)} s; skipped ${r.duplicates} duplicates, ` +
      `${r.alreadyStored} rows already in the store, ${r.noPosition} without position, ` +
      `${r.staticRepeats} repeated static reports [${s.importId}]\n`,
  );
  if ('lines' in s.input) {
    const untimed = s.input.untimed ?? 0;
    process.stdout.write(
      `  ${countersLine(s.input as unknown as AisCounters)}${untimed ? `; ${untimed} messages without a time skipped` : ''}\n`,
    );
  } else process.stdout.write(`  ${JSON.stringify(s.input)}\n`);
  if (verbose && s.badLines && s.badLines.length > 0) {
    process.stdout.write(`  first bad lines:\n`);
    for (const b of s.badLines) process.stdout.write(`    ${s.location}:${badLineText(b)}\n`);
  }
}

function globalVerbose(cmd: Command): boolean {
  return (cmd.optsWithGlobals() as { verbose?: boolean }).verbose === true;
}

/** `watchkeeper ais ...` commands. */
export function register(program: Command): void {
  const ais = program
    .command('ais')
    .description('AIS: decode NMEA (gpsd-compatible JSON), import NMEA/CSV, listen to live feeds, vessel history')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper ais decode data/ais/nmea/dma-aislib_stream_example.txt | head\n' +
        '  watchkeeper ais import positions.nmea.gz\n  watchkeeper ais vessel 445123000\n',
    );

  ais
    .command('decode')
    .description('decode NMEA AIVDM/AIVDO to gpsd JSON (one object per message) or CSV; counters on stderr')
    .argument('[file]', 'NMEA file (plain or .gz); "-" or nothing reads stdin', '-')
    .option('-u, --unscaled', 'raw integer values, like gpsdecode -u')
    .option('--format <format>', 'jsonl (gpsd JSON, default) or csv', 'jsonl')
    .option('--split24', 'print type 24 parts A and B separately (gpsdecode --split24) instead of merged')
    .option('--device <name>', 'value of the "device" field (gpsdecode prints "stdin"; "" omits it)', 'stdin')
    .option('--lf', "end JSON lines with \\n instead of gpsd's \\r\\n")
    .option(
      '--gpsd-compat <version>',
      "JSON as current gpsd writes it (default) or as gpsd 3.22 does, byte for byte (Debian 12's gpsdecode): 'current' or '3.22'",
      'current',
    )
    .option('--quiet', 'do not print the counters on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper ais decode data/ais/nmea/dma-aislib_stream_example.txt > messages.jsonl\n' +
        '  zcat feed.nmea.gz | watchkeeper ais decode - --unscaled\n' +
        '  watchkeeper ais decode feed.nmea --format csv > messages.csv\n' +
        '  watchkeeper ais decode feed.nmea --gpsd-compat 3.22 | diff - <(gpsdecode -j < feed.nmea)\n',
    )
    .action(
      async (
        file: string,
        opts: {
          unscaled?: boolean;
          format: string;
          split24?: boolean;
          device: string;
          lf?: boolean;
          quiet?: boolean;
          gpsdCompat: string;
        },
      ) => {
        if (opts.format !== 'jsonl' && opts.format !== 'csv')
          throw new UserError(`--format: "${opts.format}" is not jsonl or csv`);
        const gpsdCompat = GPSD_COMPAT.find((c) => c === opts.gpsdCompat);
        if (gpsdCompat === undefined)
          throw new UserError(`--gpsd-compat: "${opts.gpsdCompat}" is not ${GPSD_COMPAT.join(' or ')}`);
        // `ais decode ... | head` closes the pipe early: stop quietly.
        process.stdout.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'EPIPE') process.exit(0);
          throw err;
        });
        let input: AsyncIterable<Uint8Array>;
        if (file === '-') input = process.stdin;
        else {
          await open(file, 'r')
            .then((fh) => fh.close())
            .catch(() => {
              throw new InputError(`${file}: cannot read the file`);
            });
          input = await openMaybeGzip(file);
        }
        const counters = await decodeToStream(input, process.stdout, {
          format: opts.format,
          scaled: !opts.unscaled,
          split24: opts.split24,
          device: opts.device,
          eol: opts.format === 'jsonl' && !opts.lf ? '\r\n' : '\n',
          gpsdCompat,
        });
        if (!opts.quiet) process.stderr.write(`ais decode: ${countersLine(counters)}\n`);
      },
    );

  ais
    .command('import')
    .description('import AIS files into the store: NMEA (.gz too), NOAA MarineCadastre CSV, or any CSV with --map')
    .argument('<files...>', 'files to import; each lands in one transaction, and a file imported before is skipped')
    .option('--format <format>', 'auto (default), nmea or csv', 'auto')
    .option(
      '--map <mapping>',
      'CSV columns: col=field,... (fields: mmsi,time,lat,lon,sog,cog,heading,status,name,imo,callsign,shiptype,class,draught,destination)',
    )
    .option(
      '--start-time <time>',
      'time (ISO-8601) for NMEA messages the file gives no time for; needed for files with no time source',
    )
    .option('--json', 'print one JSON summary per file')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper ais import data/ais/nmea/dma-aislib_stream_example.txt\n' +
        '  watchkeeper ais import data/ais/noaa-marinecadastre/NYHarbor_2020_06_30_first_hour.csv\n' +
        '  watchkeeper ais import track.csv --map "ship_id=mmsi,when=time,y=lat,x=lon"\n' +
        '  watchkeeper ais import capture.nmea --start-time 2024-05-01T00:00:00Z\n',
    )
    .action(async function (
      this: Command,
      files: string[],
      opts: { format: string; map?: string; startTime?: string; json?: boolean },
    ) {
      if (!['auto', 'nmea', 'csv'].includes(opts.format))
        throw new UserError(`--format: "${opts.format}" is not auto, nmea or csv`);
      const [{ importCsvFile, parseColumnMap }, { importNmeaFile }, { progress, withStore }] = await Promise.all([
        import('../ingest/ais-csv.js'),
        import('../ingest/ais-nmea.js'),
        import('./context.js'),
      ]);
      const map: Record<string, CsvField> | undefined = opts.map ? parseColumnMap(opts.map) : undefined;
      const startTimeMs = opts.startTime ? parseTimeOption(opts.startTime, '--start-time') : undefined;
      await withStore(this, async (store) => {
        for (const file of files) {
          await open(file, 'r')
            .then((fh) => fh.close())
            .catch(() => {
              throw new InputError(`${file}: cannot read the file`);
            });
          const csv =
            opts.format === 'csv' || (opts.format === 'auto' && (map !== undefined || (await looksLikeCsv(file))));
          const p = progress(file);
          const summary = csv
            ? await importCsvFile(store, file, { map, onProgress: (n) => p.tick(n) })
            : await importNmeaFile(store, file, { startTimeMs, onProgress: (n) => p.tick(n) });
          p.stop();
          printSummary(summary, !!opts.json, globalVerbose(this));
        }
      });
    });

  ais
    .command('listen')
    .description('ingest a live NMEA feed (TCP client with reconnect, or UDP listener) into the store in batches')
    .option('--tcp <host:port>', 'connect to an AIS TCP server (e.g. an AIS receiver or aggregator)')
    .option('--udp <port>', 'listen for NMEA datagrams on this UDP port')
    .option('--flush-seconds <s>', 'write a batch at least this often', '2')
    .option('--report-seconds <s>', 'print rates and counters this often', '10')
    .option('--duration <s>', 'stop after this many seconds (default: run until interrupted)')
    .option(
      '--idle-timeout <s>',
      'TCP: reconnect when the feed sends nothing for this many seconds (0: never); keepalive probes find dead peers',
      '60',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper ais listen --tcp 153.44.253.27:5631\n  watchkeeper ais listen --udp 10110 --flush-seconds 5\n' +
        '  watchkeeper ais listen --tcp localhost:2000 --duration 60\n',
    )
    .action(async function (
      this: Command,
      opts: {
        tcp?: string;
        udp?: string;
        flushSeconds: string;
        reportSeconds: string;
        duration?: string;
        idleTimeout: string;
      },
    ) {
      if (!opts.tcp && !opts.udp) throw new UserError('give --tcp HOST:PORT or --udp PORT');
      let tcp: { host: string; port: number } | undefined;
      if (opts.tcp) {
        const m = /^(.+):(\d+)$/.exec(opts.tcp);
        if (!m) throw new UserError(`--tcp: "${opts.tcp}" is not HOST:PORT`);
        tcp = { host: m[1]!, port: Number(m[2]) };
      }
      const idleTimeoutS = Number(opts.idleTimeout);
      if (!(idleTimeoutS >= 0)) throw new UserError(`--idle-timeout: "${opts.idleTimeout}" is not a number of seconds`);
      const udpPort = opts.udp === undefined ? undefined : Number(opts.udp);
      if (udpPort !== undefined && !(Number.isInteger(udpPort) && udpPort >= 0 && udpPort < 65536))
        throw new UserError(`--udp: "${opts.udp}" is not a port number`);
      const [{ AisLiveIngest }, { withStore }] = await Promise.all([
        import('../maritime/ais-live.js'),
        import('./context.js'),
      ]);
      await withStore(this, async (store) => {
        const live = new AisLiveIngest({
          store,
          tcp,
          udpPort,
          flushMs: Number(opts.flushSeconds) * 1000,
          idleTimeoutMs: idleTimeoutS * 1000,
          reportMs: Number(opts.reportSeconds) * 1000,
          onEvent: (line) => process.stderr.write(`ais listen: ${line}\n`),
          onReport: (r) =>
            process.stderr.write(
              `ais listen: ${r.messages} messages (${r.messagesPerS.toFixed(0)}/s), ${r.positions} positions ` +
                `(${r.positionsPerS.toFixed(0)}/s), ${r.batches} batches, ${r.reconnects} reconnects ` +
                `(${r.idleTimeouts} after no data); ${countersLine(r.counters)}\n`,
            ),
        });
        await live.start();
        await new Promise<void>((resolve) => {
          const done = () => resolve();
          process.once('SIGINT', done);
          process.once('SIGTERM', done);
          if (opts.duration) setTimeout(done, Number(opts.duration) * 1000);
        });
        await live.stop();
        const r = live.report();
        process.stderr.write(
          `ais listen: stopped; ${r.messages} messages, ${r.positions} positions in ${r.batches} batches\n`,
        );
      });
    });

  ais
    .command('vessel')
    .description('identity history (names, call signs, IMO, ship type, flag over time) and last positions of a vessel')
    .argument('<id>', 'MMSI (9 digits) or IMO number (7 digits, optionally "IMO1234567")')
    .option('--positions <n>', 'how many recent positions to show', '10')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper ais vessel 219009236\n  watchkeeper ais vessel IMO9329306 --json\n',
    )
    .action(async function (this: Command, id: string, opts: { positions: string; json?: boolean }) {
      const digits = id.replace(/^IMO/i, '');
      if (!/^\d+$/.test(digits)) throw new UserError(`"${id}" is neither an MMSI nor an IMO number`);
      const n = Number(opts.positions);
      const [{ mmsisForImo, vesselDetail }, { printTable, withStore }] = await Promise.all([
        import('../maritime/store/repository.js'),
        import('./context.js'),
      ]);
      await withStore(this, async (store) => {
        const isImo = /^IMO/i.test(id) || digits.length === 7;
        const mmsis = isImo ? await mmsisForImo(store.db, Number(digits)) : [Number(digits)];
        if (mmsis.length === 0) throw new NotFoundError(`no vessel in the store has reported IMO ${digits}`);
        const details = [];
        for (const mmsi of mmsis) details.push(await vesselDetail(store, mmsi, n));
        if (details.every((d) => d.identities.length === 0 && d.positionCount === 0))
          throw new NotFoundError(
            `MMSI ${digits}: no AIS data in the store (import some with "watchkeeper ais import")`,
          );
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(isImo ? details : details[0], null, 2)}\n`);
          return;
        }
        for (const d of details) {
          process.stdout.write(
            `MMSI ${d.mmsi} (${d.entityId}), flag ${d.flag ?? '?'}: ${d.positionCount} positions` +
              (d.firstPosition !== null
                ? ` from ${new Date(d.firstPosition).toISOString()} to ${new Date(d.lastPosition!).toISOString()}`
                : '') +
              '\n\nIdentity history:\n',
          );
          printTable(
            d.identities.map((i) => ({
              ...i,
              firstSeen: new Date(i.firstSeen).toISOString(),
              lastSeen: new Date(i.lastSeen).toISOString(),
            })),
            ['name', 'callsign', 'imo', 'shipType', 'flag', 'firstSeen', 'lastSeen', 'messages'],
          );
          process.stdout.write('\nLast positions:\n');
          printTable(
            d.lastPositions.map((p) => ({ ...p })),
            ['time', 'lat', 'lon', 'sog', 'cog', 'heading', 'navStatus', 'msgType', 'class'],
          );
          process.stdout.write('\n');
        }
      });
    });
}
