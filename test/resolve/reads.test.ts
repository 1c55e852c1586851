import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { addCaseItem, createCase } from '../../src/cases/cases.js';
import { entityView } from '../../src/cases/entity-view.js';
import { neighbourhood, shortestPath } from '../../src/cases/graph.js';
import { buildReportData, renderReportHtml } from '../../src/cases/report.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { detectStore } from '../../src/maritime/detect.js';
import { vesselMatcher } from '../../src/resolve/vessels.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { copyDemoStore } from '../support/demo-store.js';

/**
 * Everything reads the graph: the network, the entity page, case reports and maritime screening see canonical
 * entities (docs/graph.md) on the real bundled lists (UN, OFAC, EU and UK DPRK entries) and the simulator's AIS
 * fixture, whose DPRK tanker reports YU JONG 2's IMO 8604917 (test/fixtures/maritime/PROVENANCE.md).
 */
describe('reads over canonical entities on the bundled lists', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-resolve-reads-'));
  let store: Store;
  const RI = 'wk-791a64b731c59102';
  const RI_REFERENTS = ['eu-fsf-eu-4279-24', 'gb-ofsi-dpr0267', 'ofac-22326', 'un-kpi-077'];
  const FOUR = ['eu_fsf', 'gb_hmt_sanctions', 'un_sc_sanctions', 'us_ofac_sdn'];

  beforeAll(async () => {
    store = await openStore({ url: await copyDemoStore('lists', path.join(dir, 'reads.duckdb')) });
    await importNmeaFile(store, path.join('test', 'fixtures', 'maritime', 'sim-yellow-sea-seed3-15min.nmea'));
  }, 300_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the network: RI Song Hyok (KPi.77, listed by UN, EU, UK and OFAC) is one node with its four sources', async () => {
    for (const id of RI_REFERENTS) {
      const g = await neighbourhood(store, id);
      expect(g.nodes[0]).toEqual({
        id: RI,
        schema: 'Person',
        label: 'Song Hyok RI',
        tag: 'sanctioned',
        referents: RI_REFERENTS,
        datasets: FOUR,
      });
      // No node of the graph is a referent of another: each real-world thing appears once.
      const referents = g.nodes.flatMap((n) => n.referents);
      expect(new Set(referents).size).toBe(referents.length);
      expect(g.nodes.some((n) => RI_REFERENTS.includes(n.id))).toBe(false);
    }
    const app = await buildServer({ store, logLevel: false });
    try {
      const r = await app.inject({ url: '/workspace/graph/gb-ofsi-dpr0267' });
      expect(r.statusCode).toBe(200);
      expect(r.json().nodes[0]).toMatchObject({ id: RI, referents: RI_REFERENTS, datasets: FOUR });
      // Paths run between canonical nodes: two referents of one node are the same node (no hop).
      const p = await app.inject({ url: '/workspace/path?from=un-kpi-077&to=ofac-22326' });
      expect(p.json()).toMatchObject({ hops: 0, nodes: [{ id: RI }] });
    } finally {
      await app.close();
    }
  });

  it('the entity page: every source’s values with the source entry holding them, and the four sanctions', async () => {
    const v = await entityView(store, 'ofac-22326');
    expect(v.id).toBe(RI);
    expect(v.referents).toEqual(RI_REFERENTS);
    expect(v.datasets).toEqual(FOUR);
    expect(v.properties.birthDate!.map((b) => `${b.entityId} ${b.source} ${b.value}`).sort()).toEqual([
      'eu-fsf-eu-4279-24 eu_fsf 1965-03-19',
      'ofac-22326 us_ofac_sdn 1965-03-19',
      'un-kpi-077 un_sc_sanctions 1965-03-19',
    ]);
    expect(new Set(v.properties.name!.map((n) => n.entityId))).toEqual(new Set(RI_REFERENTS));
    expect(v.sanctions.map((s) => s.id)).toEqual([
      'eu-fsf-sanction-eu-4279-24',
      'gb-ofsi-sanction-dpr0267',
      'ofac-sanction-22326',
      'un-sanction-kpi-077',
    ]);
  });

  it('a case report: two of his list entries added to a case are one entity with four sources and sanctions', async () => {
    const c = await createCase(store, { title: 'RI Song Hyok' });
    await addCaseItem(store, c.id, { kind: 'entity', ref: 'un-kpi-077' });
    await addCaseItem(store, c.id, { kind: 'entity', ref: 'ofac-22326' });
    // A canonical id can be added too; it is the same entity.
    await addCaseItem(store, c.id, { kind: 'entity', ref: RI });
    const data = await buildReportData(store, c.id, new Date('2026-12-05T00:00:00Z'));
    expect(data.material.entities.map((e) => e.id)).toEqual([RI]);
    const e = data.material.entities[0]!;
    expect([...e.datasets].sort()).toEqual(FOUR);
    expect(data.sanctions.get(RI)!.map((s) => s.id)).toHaveLength(4);
    // Each source's record is cited once, under the canonical entity.
    const cited = data.evidence.filter((x) => x.kind === 'entity-statement');
    expect(new Set(cited.map((x) => x.citedBy))).toEqual(new Set([RI]));
    expect(cited.map((x) => x.record.replace(/:\d+#/, '#')).sort()).toEqual([
      'eu_fsf_dprk_PRK_2026-05-01.yaml#EU.4279.24',
      'sdn.csv#22326',
      'uk_ofsi_dprk_2026-08-22.yaml#DPR0267',
      'un_sc_consolidated_2026-02-27.xml#KPi.077',
    ]);
    const html = renderReportHtml(data);
    expect(html).toContain(`one entity of ${RI_REFERENTS.join(', ')}`);
    expect((html.match(/<tr><td class="mono">wk-791a64b731c59102/g) ?? []).length).toBe(1);
  });

  it('maritime screening: the MMSI reporting YU JONG 2’s IMO is one canonical vessel with OFAC’s entry', async () => {
    const ids = await store.db.query('SELECT DISTINCT mmsi FROM vessel_identity WHERE imo = 8604917');
    expect(ids.map((r) => Number(r.mmsi))).toEqual([445112576]);
    const matcher = await vesselMatcher(store);
    // Matched by its identity history even when its latest report gives another name and no IMO.
    const m = await matcher.match({ mmsi: 445112576, name: 'SOME OTHER NAME' });
    expect(m).toEqual({
      id: 'ofac-23736',
      caption: 'YU JONG 2',
      score: 1,
      canonicalId: 'wk-505019cf2736248f',
      referents: ['ofac-23736'],
      via: 'identity',
    });
    const g = await neighbourhood(store, 'ais-445112576');
    expect(g.nodes[0]).toMatchObject({
      id: 'wk-505019cf2736248f',
      label: 'YU JONG 2',
      referents: ['ais-445112576', 'ofac-23736'],
      datasets: ['ais', 'us_ofac_sdn'],
    });
    const r = await detectStore(store, { kinds: ['ais.sanctions_match'] });
    const yu = r.findings.filter((f) => f.kind === 'ais.sanctions_match' && f.vessels?.[0]?.mmsi === 445112576);
    expect(yu.map((f) => [f.subjects, f.details])).toEqual([
      [
        ['ais-445112576', 'ofac-23736'],
        {
          entityId: 'ofac-23736',
          caption: 'YU JONG 2',
          matchScore: 1,
          canonicalId: 'wk-505019cf2736248f',
          listedAs: ['ofac-23736'],
          matchedBy: 'identity',
        },
      ],
    ]);
    // The finding is on the vessel's one node: both its subjects are that node.
    const fg = await neighbourhood(store, yu[0]!.id);
    expect(fg.nodes.map((n) => n.id)).toEqual([yu[0]!.id, 'wk-505019cf2736248f']);
    const path2 = await shortestPath(store, 'ais-445112576', 'ofac-23714');
    expect(path2.nodes.map((n) => n.label)).toEqual(['YU JONG 2', 'KOREA YUJONG SHIPPING CO LTD']);
  });
});
