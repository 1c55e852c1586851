import { describe, expect, it } from 'vitest';
import { detectEncounters } from '../../src/maritime/events/encounter.js';
import { runDetectors } from '../../src/maritime/events/index.js';
import { bboxOfPositions, buildGeoContext } from '../../src/maritime/geo/context.js';
import { buildTracks } from '../../src/maritime/tracks/segment.js';
import { readNoaaCsv } from './noaa.js';

/**
 * Real traffic: NOAA MarineCadastre AIS of New York Harbor and Hampton Roads (data/ais/noaa-marinecadastre). The
 * slow close pairs there are tugs, barges and ships at anchorages and berths: none may come out as an open-sea
 * encounter.
 */
describe('NOAA MarineCadastre harbours', () => {
  for (const [file, slowPairs] of [
    ['NYHarbor_2020_12_08.csv', 2],
    ['VirginiaBeach_2020_06_04_to_06_filtered.csv', 7],
  ] as const) {
    it(`${file}: ${slowPairs} slow close-pair events, all in harbour or at anchorages, so no encounter findings`, () => {
      const { positions, statics } = readNoaaCsv(file);
      const tracks = buildTracks(positions, statics);
      const geo = buildGeoContext(bboxOfPositions(positions.lat, positions.lon));
      // Without the port/anchorage exclusion the GFW rule does see the close pairs PROVENANCE.md counts...
      const raw = detectEncounters(tracks, geo, { minPortDistanceM: 0 });
      expect(raw).toHaveLength(slowPairs);
      // ...and every one is within 10 km of a port or GFW anchorage.
      for (const f of raw)
        expect((f.details!.nearestPort as { distanceNm: number }).distanceNm).toBeLessThan(10 / 1.852);
      const findings = runDetectors(tracks, geo);
      expect(findings.filter((f) => f.kind === 'ais.encounter')).toHaveLength(0);
      // Tracks along the Elizabeth River and the Intracoastal Waterway cross Natural Earth "land": not spoofing.
      expect(findings.filter((f) => f.kind === 'ais.spoofing')).toHaveLength(0);
      expect(findings.filter((f) => f.kind === 'ais.port_visit').length).toBeGreaterThan(10);
    });
  }
});
