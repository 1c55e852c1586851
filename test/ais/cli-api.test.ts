import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { buildProgram } from '../../src/cli/main.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import { runCli } from '../support/cli.js';
import { readFixture } from './gpsd.js';

let dir: string;
let db: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-ais-cli-'));
  db = path.join(dir, 'cli.duckdb');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NAIS300 = dataPath('ais', 'nmea', 'signalk_nais300-merrimac.log');

describe('watchkeeper ais (CLI)', () => {
  it('decode prints gpsd JSON identical to gpsdecode -u -j, counters on stderr', async () => {
    const r = await runCli(['ais', 'decode', NAIS300, '--unscaled', '--gpsd-compat', '3.22']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFixture('signalk_nais300-merrimac.gpsdecode-u.jsonl'));
    expect(r.stderr).toContain('536 messages from 579 lines');
    expect(r.stderr).toContain('bad checksum 0');
  });

  it('decode reads stdin and writes CSV', async () => {
    const r = await runCli(['ais', 'decode', '-', '--format', 'csv', '--quiet'], {
      input: readFileSync(NAIS300, 'latin1'),
    });
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toBe(
      'time,station,talker,channel,type,repeat,mmsi,status,speed,course,heading,lat,lon,imo,callsign,shipname,shiptype,destination',
    );
    expect(rows).toHaveLength(537);
    expect(rows).toContain(',,AI,A,5,0,246326000,,,,,,,,PH5210,LUTGERDINA,69,MOOI SILEN');
    // After the first GPS RMC line, rows carry its time.
    expect(rows.at(-1)).toMatch(/^2012-06-18T16:33:2\d\.000Z,,AI,/);
  });

  it('every ais command has --help with examples', async () => {
    const ais = (await buildProgram()).commands.find((c) => c.name() === 'ais')!;
    const subs = ais.commands.map((c) => c.name());
    expect(subs).toEqual(['decode', 'import', 'listen', 'vessel']);
    for (const c of ais.commands) {
      let help = '';
      c.configureOutput({ writeOut: (t) => (help += t) });
      c.outputHelp();
      expect(help).toContain('Examples:');
      expect(help).toContain(`watchkeeper ais ${c.name()}`);
    }
  });

  it('import, vessel by MMSI and IMO, unknown vessel', { timeout: 180_000 }, async () => {
    const imp = await runCli([
      '--db',
      db,
      'ais',
      'import',
      dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt'),
      '--json',
    ]);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ created: true, positions: 2965 });
    const v = await runCli(['--db', db, 'ais', 'vessel', '258750000']);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('TRANS FJELL');
    expect(v.stdout).toContain('flag NO');
    const byImo = await runCli(['--db', db, 'ais', 'vessel', 'IMO9329306', '--json']);
    expect(JSON.parse(byImo.stdout)[0]).toMatchObject({
      mmsi: 258750000,
      identities: [{ name: 'TRANS FJELL', callsign: 'LAJW6' }],
    });
    const missing = await runCli(['--db', db, 'ais', 'vessel', '999999999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no AIS data');
  });
});

describe('AIS API', () => {
  it('GET /vessels, /vessels/{mmsi}, /vessels/{mmsi}/track and POST /ais/decode', async () => {
    const store = await openStore({ url: path.join(dir, 'api.duckdb') });
    const { importNmeaFile } = await import('../../src/ingest/ais-nmea.js');
    await importNmeaFile(store, dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt'));
    const app = await buildServer({ store, logLevel: false });
    try {
      const list = await app.inject({ method: 'GET', url: '/vessels?q=trans%20fjell' });
      expect(list.statusCode).toBe(200);
      expect(list.json().results).toEqual([
        expect.objectContaining({ mmsi: 258750000, name: 'TRANS FJELL', flag: 'NO' }),
      ]);
      const one = await app.inject({ method: 'GET', url: '/vessels/258902000?positions=2' });
      expect(one.statusCode).toBe(200);
      expect(one.json()).toMatchObject({ mmsi: 258902000, entityId: 'ais-258902000', flag: 'NO', positionCount: 5 });
      expect(one.json().lastPositions.map((p: { time: string }) => p.time)).toEqual([
        '2010-06-11T11:46:35.157Z',
        '2010-06-11T11:46:26.935Z',
      ]);
      const tr = await app.inject({
        method: 'GET',
        url: '/vessels/258902000/track?since=2010-06-11T11:46:00Z&until=2010-06-11T11:47:00Z',
      });
      expect(tr.json().positions[0]).toMatchObject({
        sog: 11,
        cog: 57.8,
        heading: 60,
        time: '2010-06-11T11:46:12.451Z',
      });
      expect((await app.inject({ method: 'GET', url: '/vessels/123' })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/vessels/258902000/track?since=yesterday' })).statusCode).toBe(
        400,
      );
      const dec = await app.inject({
        method: 'POST',
        url: '/ais/decode',
        payload: {
          nmea: '!AIVDM,1,1,,B,13aENmgP1CPH`N`NJ2L0Mwwb2@Nj,0*00\n!AIVDM,1,1,,B,13aENmgP1CPH`N`NJ2L0Mwwb2@Nj,0*01\n',
        },
      });
      expect(dec.statusCode).toBe(200);
      expect(dec.json().counters).toMatchObject({ lines: 2, messages: 1, badChecksum: 1 });
      expect(dec.json().messages[0]).toMatchObject({
        class: 'AIS',
        type: 1,
        mmsi: 244670166,
        status_text: 'Not defined',
      });
    } finally {
      await app.close();
      await store.close();
    }
  });
  it('POST /ais/decode gpsdCompat answers what `ais decode --gpsd-compat` prints, for both dialects', {
    timeout: 120_000,
  }, async () => {
    // gpsd's own regression sentences where the dialects differ (rate of turn n/a, type 27 status, type 8 positions)
    // and a real NAIS-300 log (536 messages).
    const nmea = `${[
      '!AIVDM,1,1,,A,16SteH0P00Jt63hHaa6SagvJ087r,0*42',
      '!AIVDM,1,1,,A,KCQ9r=hrFUnH7P00,0*41',
      '!AIVDO,1,1,5,A,8>jR06@0Gwli:QQUP3en?wvlFR06EuOwgwl?wnSwe7wvlOwwsAwwnSGmwvh0,0*51',
    ].join('\n')}\n${readFileSync(NAIS300, 'latin1')}`;
    const store = await openStore({ url: path.join(dir, 'api-decode.duckdb') });
    const app = await buildServer({ store, logLevel: false });
    try {
      const byCompat: Record<string, Array<Record<string, unknown>>> = {};
      for (const compat of ['current', '3.22']) {
        const cli = await runCli(['ais', 'decode', '-', '--gpsd-compat', compat, '--device', '', '--lf', '--quiet'], {
          input: nmea,
        });
        expect(cli.code).toBe(0);
        const api = await app.inject({ method: 'POST', url: '/ais/decode', payload: { nmea, gpsdCompat: compat } });
        expect(api.statusCode).toBe(200);
        const messages = api.json().messages as Array<Record<string, unknown>>;
        const printed = cli.stdout.trimEnd().split('\n');
        expect(messages).toHaveLength(539);
        // Same objects, same key order.
        expect(messages.map((m) => Object.entries(m))).toEqual(printed.map((l) => Object.entries(JSON.parse(l))));
        byCompat[compat] = messages;
      }
      expect(byCompat.current?.[0]).toMatchObject({ mmsi: 440348000, turn: 'n/a' });
      expect(byCompat['3.22']?.[0]).toMatchObject({ mmsi: 440348000, turn: 'nan' });
      expect(byCompat.current?.[1]).toMatchObject({ type: 27, status: 3, status_text: 'Restricted manoeuverability' });
      expect(byCompat['3.22']?.[1]).toMatchObject({ type: 27, status: 'Restricted manoeuverability' });
      expect(byCompat.current?.[2]).toMatchObject({ type: 8, lat: 53.294933, lon: -6.134067 });
      expect(byCompat['3.22']?.[2]).toMatchObject({ type: 8, lat: 53.2949, lon: -6.1341 });
      // The default is current gpsd; an unknown dialect is a 400.
      const dflt = await app.inject({ method: 'POST', url: '/ais/decode', payload: { nmea } });
      expect(dflt.json().messages).toEqual(byCompat.current);
      const bad = await app.inject({ method: 'POST', url: '/ais/decode', payload: { nmea, gpsdCompat: '3.21' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ error: 'bad_request' });
    } finally {
      await app.close();
      await store.close();
    }
  });
});
