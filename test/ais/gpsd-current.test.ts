/**
 * `ais decode` writes current gpsd's JSON by default and gpsd 3.22's with --gpsd-compat 3.22. The two differ only in
 * the four documented places (rate of turn not available, type 27 status, 1/1000-minute positions in application
 * data, reserved EPFD values); everything else is byte for byte the same.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataPath } from '../../src/paths.js';
import { runCli } from '../support/cli.js';
import { decodeFileLines, readFixture } from './gpsd.js';

type Obj = Record<string, unknown>;

/**
 * Sentences of gpsd's own regression sample (test/sample.aivdm) and pyais's tests, with gpsd's expectations after
 * 3.22: ROT -128 prints "n/a"; DAC 1 FID 31 positions print 53.294933 / -6.134067 (1/1000 minute, 6 decimals).
 */
const GPSD_SAMPLE = [
  '!AIVDM,1,1,,A,16SteH0P00Jt63hHaa6SagvJ087r,0*42',
  '!AIVDM,1,1,,A,KCQ9r=hrFUnH7P00,0*41',
  '!AIVDM,1,1,,B,KC5E2b@U19PFdLbMuc5=ROv62<7m,0*16',
  '!AIVDO,1,1,5,A,8>jR06@0Gwli:QQUP3en?wvlFR06EuOwgwl?wnSwe7wvlOwwsAwwnSGmwvh0,0*51',
].join('\n');

const parse = (lines: { json: string }[]) => lines.map((l) => JSON.parse(l.json) as Obj);

describe('current gpsd JSON (default) and gpsd 3.22 (--gpsd-compat 3.22)', () => {
  it('gpsd sample sentences: turn "n/a", type 27 status as a number with status_text, full-precision type 8', () => {
    const cur = parse(decodeFileLines(GPSD_SAMPLE, true, 'current'));
    const old = parse(decodeFileLines(GPSD_SAMPLE, true, '3.22'));
    expect(cur[0]).toMatchObject({ mmsi: 440348000, turn: 'n/a' });
    expect(old[0]).toMatchObject({ mmsi: 440348000, turn: 'nan' });
    expect(cur[1]).toMatchObject({ type: 27, mmsi: 236091959, status: 3, status_text: 'Restricted manoeuverability' });
    expect(old[1]).toMatchObject({ type: 27, mmsi: 236091959, status: 'Restricted manoeuverability' });
    expect(old[1]).not.toHaveProperty('status_text');
    expect(cur[2]).toMatchObject({ type: 27, mmsi: 206914217, status: 2, status_text: 'Not under command' });
    expect(cur[3]).toMatchObject({ type: 8, dac: 1, fid: 31, lat: 53.294933, lon: -6.134067 });
    expect(old[3]).toMatchObject({ type: 8, dac: 1, fid: 31, lat: 53.2949, lon: -6.1341 });
    // Key order is gpsd's: status_text right after status.
    expect(Object.keys(cur[1]!).slice(6, 9)).toEqual(['status', 'status_text', 'accuracy']);
  });

  it('on the real files and every synthetic type, the two differ only in the documented fields', () => {
    const inputs = [
      ...['dma-aislib_stream_example.txt', 'signalk_nais400-merrimac.log'].map((f) =>
        readFileSync(dataPath('ais', 'nmea', f)),
      ),
      readFixture('synthetic.nmea'),
    ];
    const seen: Record<string, number> = {};
    for (const input of inputs) {
      for (const scaled of [true, false]) {
        const cur = parse(decodeFileLines(input, scaled, 'current'));
        const old = parse(decodeFileLines(input, scaled, '3.22'));
        expect(cur.length).toBe(old.length);
        for (let k = 0; k < cur.length; k++) {
          const a = cur[k]!;
          const b = old[k]!;
          for (const f of new Set([...Object.keys(a), ...Object.keys(b)])) {
            if (JSON.stringify(a[f]) === JSON.stringify(b[f])) continue;
            let rule: string;
            if (f === 'turn' && a[f] === 'n/a' && b[f] === 'nan') rule = 'turn n/a';
            else if (a.type === 27 && f === 'status' && typeof a[f] === 'number') rule = 'type 27 status';
            else if (a.type === 27 && f === 'status_text' && b[f] === undefined && b.status === a[f])
              rule = 'type 27 status_text';
            else if (f === 'epfd_text' && b[f] === 'INVALID EPFD' && (a[f] === 'Reserved' || a[f] === 'Internal GNSS'))
              rule = `epfd ${a.epfd}`;
            else if (
              (a.type === 6 || a.type === 8) &&
              typeof a[f] === 'number' &&
              Number((a[f] as number).toFixed(4)) === b[f] &&
              String(a[f]).split('.')[1]!.length > 4
            )
              rule = 'application data position';
            else rule = `unexpected ${a.type}/${f}: ${JSON.stringify(a[f])} vs ${JSON.stringify(b[f])}`;
            seen[rule] = (seen[rule] ?? 0) + 1;
          }
        }
      }
    }
    expect(Object.keys(seen).filter((r) => r.startsWith('unexpected'))).toEqual([]);
    // Each difference occurs on these inputs (counts from the DMA file, the SignalK log and the synthetic set).
    expect(seen['turn n/a']).toBeGreaterThan(300);
    expect(seen['type 27 status']).toBeGreaterThan(0);
    expect(seen['type 27 status_text']).toBe(seen['type 27 status']);
    expect(seen['epfd 10']).toBeGreaterThan(0);
    expect(seen['epfd 15']).toBeGreaterThan(0);
    expect(seen['application data position']).toBeGreaterThan(0);
  });

  it('CLI: --gpsd-compat 3.22 writes the JSON of gpsd 3.22, the default that of current gpsd; a bad value is refused', async () => {
    const old = await runCli(['ais', 'decode', '-', '--gpsd-compat', '3.22', '--quiet'], { input: GPSD_SAMPLE });
    expect(old.code).toBe(0);
    expect(old.stdout).toContain('"turn":"nan"');
    const cur = await runCli(['ais', 'decode', '-', '--quiet'], { input: GPSD_SAMPLE });
    expect(cur.stdout).toContain('"turn":"n/a"');
    expect(cur.stdout).toContain('"status":3,"status_text":"Restricted manoeuverability"');
    const bad = await runCli(['ais', 'decode', '-', '--gpsd-compat', '3.21'], { input: GPSD_SAMPLE });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--gpsd-compat: "3.21" is not current or 3.22');
  });
});
