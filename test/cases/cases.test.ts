import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCaseItem, createCase, getCase, listCases, removeCaseItem } from '../../src/cases/cases.js';
import { entityView } from '../../src/cases/entity-view.js';
import { buildEvidenceList, loadCaseMaterial } from '../../src/cases/evidence.js';
import { neighbourhood, shortestPath } from '../../src/cases/graph.js';
import { buildReportData, renderReportHtml } from '../../src/cases/report.js';
import { sectionOf } from '../../src/cases/sections.js';
import { vesselProfile } from '../../src/cases/vessel.js';
import { addWatch, listAlerts, listWatches } from '../../src/cases/watch.js';
import { findingId } from '../../src/findings/finding.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { FX, fixtureFindings, seedCaseFixture } from './fixture.js';

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-cases-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  await seedCaseFixture(store);
});

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('cases', () => {
  it('creates a case, adds findings, entities, addresses and notes, and refuses unknown ids', async () => {
    const [sts, gap] = fixtureFindings();
    const c = await createCase(store, { title: 'CHON MA SAN STS, March 2024', summary: 'Korea Bay transfer.' });
    expect(c.id).toMatch(/^case-[0-9a-f]{10}$/);
    await addCaseItem(store, c.id, { kind: 'finding', ref: sts!.id });
    await addCaseItem(store, c.id, { kind: 'finding', ref: gap!.id });
    const again = await addCaseItem(store, c.id, { kind: 'finding', ref: sts!.id });
    await addCaseItem(store, c.id, { kind: 'entity', ref: FX.tanker });
    await addCaseItem(store, c.id, { kind: 'address', ref: FX.address });
    await addCaseItem(store, c.id, { kind: 'note', ref: '천마산호 seen at Nampo before the transfer.' });
    const full = await getCase(store, c.id);
    expect(full.items.map((i) => i.kind)).toEqual(['finding', 'finding', 'entity', 'address', 'note']);
    expect(full.items[0]!.id).toBe(again.id);
    expect(full.items[3]!.ref).toBe(FX.address.toLowerCase());
    await expect(addCaseItem(store, c.id, { kind: 'finding', ref: 'f-nope' })).rejects.toThrow(
      /no finding with id "f-nope"/,
    );
    await expect(addCaseItem(store, c.id, { kind: 'entity', ref: 'nope' })).rejects.toThrow(/no entity/);
    await expect(addCaseItem(store, c.id, { kind: 'address', ref: 'xyz' })).rejects.toThrow(/not an Ethereum/);
    await expect(addCaseItem(store, c.id, { kind: 'bogus', ref: 'x' })).rejects.toThrow(/kind: must be one of/);
    await expect(getCase(store, 'case-missing')).rejects.toThrow(/no case with id "case-missing"/);
    expect((await listCases(store)).find((x) => x.id === c.id)?.itemCount).toBe(5);

    const material = await loadCaseMaterial(store, full);
    const evidence = buildEvidenceList(full, material);
    // 2 refs for the STS finding, 1 for the gap; the tanker is one canonical entity with the AIS vessel that
    // reports its IMO (docs/graph.md): 1 group for its list statements, 1 for its AIS ones; 1 wallet group, 1 note.
    expect(evidence.map((e) => e.kind)).toEqual([
      'finding-evidence',
      'finding-evidence',
      'finding-evidence',
      'entity-statement',
      'entity-statement',
      'entity-statement',
      'note',
    ]);
    expect(evidence[4]).toMatchObject({ source: 'ais', citedBy: evidence[3]!.citedBy });
    expect(material.entities.map((e) => [...new Set(e.statements.map((s) => s.entityId))])).toEqual([
      [FX.tanker, FX.aisTanker],
    ]);
    expect(evidence[0]).toMatchObject({ ref: 'E-1', citedBy: sts!.id, record: 'mmsi:445123000@1710452400000' });
    expect(evidence[3]!.source).toBe('wk_fixture (wk_fixture@1)');
    expect(evidence[3]!.description).toContain('list file sha256 f1c7e0b7');
    expect(evidence[6]!.contentHash).toMatch(/^[0-9a-f]{64}$/);

    const last = full.items[4]!;
    await removeCaseItem(store, c.id, last.id);
    expect((await getCase(store, c.id)).items).toHaveLength(4);
  });

  it('renders a report in the UN Panel structure with maps, tables, CJK names and an evidence annex', async () => {
    const findings = fixtureFindings();
    const c = await createCase(store, { title: 'Report test' });
    for (const f of findings) await addCaseItem(store, c.id, { kind: 'finding', ref: f.id });
    await addCaseItem(store, c.id, { kind: 'entity', ref: FX.tanker });
    await addCaseItem(store, c.id, { kind: 'entity', ref: FX.trader });
    const data = await buildReportData(store, c.id, new Date('2024-06-01T00:00:00Z'));
    const html = renderReportHtml(data);
    expect(html).toContain('I. Summary');
    expect(html).toContain('II. Methodology and limitations');
    expect(html).toContain('III. Findings in chronological order');
    expect(html).toContain('Ship-to-ship transfers');
    expect(html).toContain('Vessel identity fraud and AIS manipulation');
    expect(html).toContain('Cyber: virtual assets');
    expect(html).toContain('Annex I. Evidence');
    expect(html).toContain('천마산호');
    expect(html).toContain('示例海运有限公司');
    expect(html).toContain('mmsi:445123000@1710452400000');
    expect(html).toContain('maxDistanceM');
    expect(html).toContain('US OFAC, DPRK4');
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(data.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('sorts findings into report sections', () => {
    const [sts, gap, identity, match, crypto] = fixtureFindings();
    expect([sts, gap, identity, match, crypto].map((f) => sectionOf(f!))).toEqual([
      'sts',
      'voyage',
      'identity',
      'finance',
      'cyber',
    ]);
    expect(sectionOf({ ...gap!, explanation: 'Bulk carrier went dark after loading anthracite coal at Nampo.' })).toBe(
      'coal',
    );
  });
});

describe('watchlist and alerts', () => {
  it('raises alerts only for findings that arrive after the watch, once each', async () => {
    const w = await addWatch(store, { kind: 'vessel', ref: String(FX.mmsiTanker), label: 'CHON MA SAN' });
    expect(w.subjects).toEqual([FX.aisTanker]);
    expect(await listAlerts(store)).toHaveLength(0);
    const fresh = {
      ...fixtureFindings()[1]!,
      start: '2024-04-01T00:00:00.000Z',
      explanation: 'CHON MA SAN went dark again for 20 h.',
    };
    fresh.id = findingId(fresh.kind, fresh.subjects, fresh.start);
    await store.putFindings([fresh]);
    const alerts = await listAlerts(store);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ findingId: fresh.id, watchId: w.id, findingKind: 'ais.gap' });
    expect(await listAlerts(store)).toHaveLength(1);
    expect((await listWatches(store))[0]!.unreadCount).toBe(1);
    const withExisting = await addWatch(store, { kind: 'address', ref: FX.address, includeExisting: true });
    expect(withExisting.alertCount).toBe(1);
    await expect(addWatch(store, { kind: 'entity', ref: 'nobody' })).rejects.toThrow(/no entity/);
  });
});

describe('workspace read models', () => {
  it('shows each entity value with its list version and the sanctions naming it', async () => {
    const v = await entityView(store, FX.tanker);
    expect(v.caption).toBe('CHON MA SAN');
    expect(v.properties.alias![0]).toMatchObject({
      value: '천마산호',
      source: 'wk_fixture',
      sourceRecord: 'sdn.csv:23729',
    });
    expect(v.properties.alias![0]!.version?.sha256).toMatch(/^f1c7e0b7/);
    expect(v.sanctions.map((s) => s.id)).toEqual([FX.sanction]);
    expect(v.links).toContainEqual(expect.objectContaining({ id: FX.owner, relation: 'owner', direction: 'out' }));
    await expect(entityView(store, 'nope')).rejects.toThrow(/no entity with id "nope"/);
  });

  it('profiles a vessel: list entries by IMO, findings and the red flags explained', async () => {
    const p = await vesselProfile(store, String(FX.mmsiTanker));
    expect(p.mmsi).toBe(FX.mmsiTanker);
    expect(p.imo).toBe(8660313);
    expect(p.listEntries.map((l) => [l.id, l.sanctioned])).toContainEqual([FX.tanker, true]);
    expect(p.findings.map((f) => f.kind).sort()).toEqual([
      'ais.encounter',
      'ais.gap',
      'ais.gap',
      'ais.identity_change',
      'screening.match',
    ]);
    // The maritime risk model (one factor per red flag, noisy-or over its findings): weight 1.0 × score 0.97 for
    // the list match, 0.9 × 0.9 for the identity change, the two dark periods and the STS encounter combined.
    expect(p.risk.factors[0]).toMatchObject({ code: 'SANCTIONS_LIST_MATCH', score: 0.97, count: 1 });
    expect(p.risk.factors.find((f) => f.code === 'VESSEL_IDENTITY_ALTERATION')).toMatchObject({
      score: 0.81,
      count: 1,
    });
    const ais = p.risk.factors.find((f) => f.code === 'AIS_MANIPULATION');
    expect(ais?.findings.map((f) => f.kind).sort()).toEqual(['ais.encounter', 'ais.gap', 'ais.gap']);
    expect(p.risk.severity).toBe('high');
    expect(p.risk.explanation).toContain('Physically altering vessel identification');
    expect(p.risk.score).toBeGreaterThan(0.9);
    expect(p.owners.map((o) => o.id)).toContain(FX.owner);
    await expect(vesselProfile(store, '999999999')).rejects.toThrow(/no vessel/);
  });

  it('expands neighbourhoods and finds the shortest path from the trader to the listed owner', async () => {
    const g = await neighbourhood(store, FX.aisReceiver);
    expect(g.nodes.map((n) => n.id)).toContain(FX.trader);
    const p = await shortestPath(store, FX.trader, FX.owner);
    // trader → (Ownership) → receiver → (STS finding) → tanker → owner: the AIS tanker reports the listed tanker's
    // IMO, so they are one canonical node (docs/graph.md) and the list-match finding between them is no hop.
    expect(p.nodes.map((n) => n.schema)).toEqual(['Company', 'Vessel', 'Finding', 'Vessel', 'Company']);
    expect(p.nodes.map((n) => n.label)).toEqual([
      '示例海运有限公司',
      'HAI XING 21',
      'ais.encounter',
      'CHON MA SAN',
      'KOREA ACHIM SHIPPING CO',
    ]);
    expect(p.nodes[3]).toMatchObject({ referents: [FX.aisTanker, FX.tanker], datasets: ['ais', 'wk_fixture'] });
    expect(p.nodes[3]!.id).toMatch(/^wk-[0-9a-f]{16}$/);
    expect(p.nodes[0]!.id).toBe(FX.trader);
    expect(p.nodes.at(-1)!.id).toBe(FX.owner);
    expect(p.hops).toBe(p.edges.length);
    const none = await shortestPath(store, FX.trader, FX.wallet);
    expect(none.hops).toBe(-1);
  });
});
