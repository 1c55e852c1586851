import { describe, expect, it } from 'vitest';
import { identityConflicts } from '../../src/registry/conflicts.js';
import { buildRegistry } from '../../src/registry/registry.js';

// Constructed AIS identities for the real IMO of YU JONG 2 (8604917): no AIS data for it is bundled.
const ms = (s: string): number => Date.parse(s);
const row = (mmsi: number, name: string, first: string, last: string) => ({
  mmsi,
  name,
  callsign: null,
  imo: 8604917,
  shipType: 80,
  flag: String(mmsi).startsWith('445') ? 'kp' : 'sl',
  firstSeen: ms(first),
  lastSeen: ms(last),
  messages: 10,
});

describe('identity laundering on the registry timeline', () => {
  it('one IMO under successive MMSIs, then two MMSIs claiming it at once', () => {
    const reg = buildRegistry({
      entities: [],
      ais: [
        row(667001234, 'RYOKO', '2016-01-01T00:00:00Z', '2016-12-31T00:00:00Z'),
        row(445123000, 'YU JONG 2', '2017-03-01T00:00:00Z', '2018-06-30T00:00:00Z'),
        row(511999000, 'YU JONG 2', '2018-05-01T00:00:00Z', '2018-09-01T00:00:00Z'),
      ],
    });
    const c = identityConflicts(reg.get(8604917)!);
    expect(c.spans.map((s) => [s.mmsi, s.names])).toEqual([
      ['667001234', ['RYOKO']],
      ['445123000', ['YU JONG 2']],
      ['511999000', ['YU JONG 2']],
    ]);
    expect(c.succession).toEqual([{ from: '667001234', to: '445123000', at: '2017-03-01T00:00:00.000Z' }]);
    expect(c.simultaneous).toEqual([
      { a: '445123000', b: '511999000', from: '2018-05-01T00:00:00.000Z', to: '2018-06-30T00:00:00.000Z' },
    ]);
  });

  it('a check digit that fails keeps the AIS identity out of the registry', () => {
    const reg = buildRegistry({
      entities: [],
      ais: [{ ...row(667001234, 'X', '2016-01-01T00:00:00Z', '2016-02-01T00:00:00Z'), imo: 8604918 }],
    });
    expect(reg.size).toBe(0);
  });
});
