import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { DEMO_LISTS } from '../../src/lists/demo.js';
import { importList } from '../../src/lists/import.js';
import { findCandidates } from '../../src/resolve/candidates.js';
import { canonicalEntity, canonicalIdOf, canonicalIdsOf } from '../../src/resolve/canonical.js';
import { applyJudgementsFile, exportJudgements, judgePair } from '../../src/resolve/judge.js';
import { loadJudgements } from '../../src/resolve/judgement-store.js';
import { resolve } from '../../src/resolve/resolver.js';
import { loadKeys, resolveStore } from '../../src/resolve/run.js';
import { normaliseUnRef } from '../../src/resolve/strong-keys.js';
import { screeningService } from '../../src/screening/service.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { copyDemoStore } from '../support/demo-store.js';

/**
 * Entity resolution on the real bundled lists: UN consolidated (2026-02-27), OFAC SDN (2024-05-03), the EU's DPRK
 * entries (2026-05-01) and the UK's (2026-08-22), about 42,300 entities.
 */
describe('entity resolution on the bundled lists', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-resolve-'));
  let store: Store;

  beforeAll(async () => {
    store = await openStore({ url: await copyDemoStore('lists', path.join(dir, 'resolve.duckdb')) });
  }, 300_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** UN reference (normalised) → the ids of every entity carrying it (entity idNumber or its Sanction's unscId). */
  async function carriersOfUnRefs(): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    for (const k of await loadKeys(store)) {
      if (k.kind !== 'unsc') continue;
      const ref = normaliseUnRef(k.value)!;
      (out.get(ref) ?? out.set(ref, new Set()).get(ref)!).add(k.entityId);
    }
    return out;
  }

  it('resolves: 222 canonical entities from 497 source entities, every merge with its reason', async () => {
    const r = await resolveStore(store, { force: true });
    expect(r).toMatchObject({ ran: true, clusters: 222, referents: 497, merges: 275, refused: 1 });
    const auto = await loadJudgements(store.db, { origins: ['automatic'] });
    expect(auto.filter((j) => j.verdict === 'positive')).toHaveLength(275);
    expect(auto.find((j) => j.left === 'gb-ofsi-dpr0205' && j.right === 'un-kpi-013')).toMatchObject({
      verdict: 'positive',
      reason: 'same UN reference KPi.13 (gb_hmt_sanctions, un_sc_sanctions)',
      author: 'watchkeeper-resolver',
    });
    // Unchanged inputs: the stored resolution is kept.
    expect((await resolveStore(store)).ran).toBe(false);
  });

  it('every UN DPRK reference resolves to one canonical entity; 15 of them join UN, EU, UK and OFAC entries', async () => {
    const carriers = await carriersOfUnRefs();
    const dprk = [...carriers].filter(([ref]) => ref.startsWith('KP'));
    expect(dprk).toHaveLength(155);
    const four: string[] = [];
    for (const [ref, ids] of dprk) {
      const canon = await canonicalIdsOf(store, [...ids]);
      expect(new Set(canon.values()).size, ref).toBe(1);
      const node = await canonicalEntity(store, [...ids][0]!);
      const sources = new Set(node!.entity.statements.map((s) => s.source));
      if (['un_sc_sanctions', 'eu_fsf', 'gb_hmt_sanctions', 'us_ofac_sdn'].every((s) => sources.has(s))) four.push(ref);
    }
    // OFAC's sdn.csv carries no UN reference: its entries join through IMO company numbers and passports.
    expect(four.sort()).toEqual([
      'KPe.22',
      'KPe.56',
      'KPe.57',
      'KPe.58',
      'KPe.61',
      'KPe.62',
      'KPe.63',
      'KPe.64',
      'KPe.65',
      'KPe.67',
      'KPe.68',
      'KPe.70',
      'KPe.74',
      'KPe.75',
      'KPi.77',
    ]);
  });

  it('no canonical entity holds two different UN references; the one chain that would have is refused', async () => {
    const carriers = await carriersOfUnRefs();
    const refsByCanonical = new Map<string, Set<string>>();
    for (const [ref, ids] of carriers) {
      for (const c of (await canonicalIdsOf(store, [...ids])).values())
        (refsByCanonical.get(c) ?? refsByCanonical.set(c, new Set()).get(c)!).add(ref);
    }
    expect([...refsByCanonical.values()].filter((s) => s.size > 1)).toEqual([]);
    expect(carriers.size).toBe(refsByCanonical.size);
    // UN lists one Iranian passport number for two different people: the passport would join them.
    const refused = await loadJudgements(store.db, { origins: ['automatic'] });
    expect(refused.filter((j) => j.verdict === 'unsure')).toEqual([
      expect.objectContaining({
        left: 'un-iri-003',
        right: 'un-iri-041',
        reason:
          'not merged: same ir passport 6620505 (un_sc_sanctions), but different unsc identifiers (UN reference IRi.3 / UN reference IRi.41)',
      }),
    ]);
    expect(await canonicalIdOf(store, 'un-iri-003')).not.toBe(await canonicalIdOf(store, 'un-iri-041'));
  });

  it('a person listed by all four: RI Song Hyok (KPi.77) with every source’s names and dates and their provenance', async () => {
    // (the UK entry gives no birth date)
    const node = (await canonicalEntity(store, 'un-kpi-077'))!;
    expect(node.redirectedFrom).toBe('un-kpi-077');
    expect(node.entity.id).toBe('wk-791a64b731c59102');
    expect(node.referents).toEqual(['eu-fsf-eu-4279-24', 'gb-ofsi-dpr0267', 'ofac-22326', 'un-kpi-077']);
    const by = (prop: string) =>
      node.entity.statements
        .filter((s) => s.prop === prop)
        .map((s) => `${s.entityId} ${s.source} ${s.sourceRecord.replace(/:\d+#/, '#')} ${s.value}`)
        .sort();
    expect(by('birthDate')).toEqual([
      'eu-fsf-eu-4279-24 eu_fsf eu_fsf_dprk_PRK_2026-05-01.yaml#EU.4279.24 1965-03-19',
      'ofac-22326 us_ofac_sdn sdn.csv#22326 1965-03-19',
      'un-kpi-077 un_sc_sanctions un_sc_consolidated_2026-02-27.xml#KPi.077 1965-03-19',
    ]);
    const names = by('name');
    expect(names.map((n) => n.split(' ').slice(0, 2).join(' '))).toEqual([
      'eu-fsf-eu-4279-24 eu_fsf',
      'gb-ofsi-dpr0267 gb_hmt_sanctions',
      'ofac-22326 us_ofac_sdn',
      'un-kpi-077 un_sc_sanctions',
    ]);
    expect(new Set(node.entity.datasets)).toEqual(
      new Set(['eu_fsf', 'gb_hmt_sanctions', 'us_ofac_sdn', 'un_sc_sanctions']),
    );
  });

  it('Choe Chun Sik (SANS, KPi.13): UN and UK by the UN reference, EU and OFAC by an analyst from the candidates', async () => {
    expect(await canonicalIdOf(store, 'gb-ofsi-dpr0205')).toBe(await canonicalIdOf(store, 'un-kpi-013'));
    // EU's entry EU.4117.13 and OFAC's 19498 carry no UN reference nor document: never merged on their names.
    expect(await canonicalIdOf(store, 'eu-fsf-eu-4117-13')).toBe('eu-fsf-eu-4117-13');
    expect(await canonicalIdOf(store, 'ofac-19498')).toBe('ofac-19498');
    const pairs = await findCandidates(store, { sources: ['eu_fsf'], limit: 1000 });
    const pair = (a: string, b: string) => pairs.find((p) => p.left.id === a && p.right.id === b);
    expect(pair('eu-fsf-eu-4117-13', 'ofac-19498')?.features).toMatchObject({
      name_similarity: 1,
      birth_date_match: 1,
    });
    expect(pair('eu-fsf-eu-4117-13', 'un-kpi-013')?.features).toMatchObject({
      name_similarity: 1,
      birth_date_match: 1,
    });
    // Already one canonical entity: never proposed.
    expect(pairs.some((p) => p.left.id === 'gb-ofsi-dpr0205' && p.right.id === 'un-kpi-013')).toBe(false);

    const reason = 'same name, born 1954-10-12, Director of the Second Academy of Natural Sciences';
    await judgePair(store, 'eu-fsf-eu-4117-13', 'un-kpi-013', 'positive', { author: 'analyst-a', reason });
    await judgePair(store, 'ofac-19498', 'un-kpi-013', 'positive', { author: 'analyst-a', reason });
    const node = (await canonicalEntity(store, 'ofac-19498'))!;
    expect(node.referents).toEqual(['eu-fsf-eu-4117-13', 'gb-ofsi-dpr0205', 'ofac-19498', 'un-kpi-013']);
    const values = (prop: string) =>
      node.entity.statements.filter((s) => s.prop === prop).map((s) => `${s.source}: ${s.value}`);
    expect(values('name').sort()).toEqual([
      "eu_fsf: Ch'un Sik Ch'oe",
      'gb_hmt_sanctions: CHOE CHUN-SIK',
      'un_sc_sanctions: CHOE CHUN-SIK',
      'us_ofac_sdn: CHOE, Chun-sik',
    ]);
    expect(values('birthDate').sort()).toEqual([
      'eu_fsf: 1954-10-12',
      'un_sc_sanctions: 1954-10-12',
      'us_ofac_sdn: 1954-10-12',
    ]);
    // The other Choe Chun Sik (KNIC reinsurance director, born 1963-12-23) is a different person: not in the node.
    expect(node.referents).not.toContain('eu-fsf-eu-3486-46');
    expect(node.referents).not.toContain('gb-ofsi-dpr0006');
  }, 180_000);

  it('the Hangul EU alias 최천식 reaches the KNIC Choe Chun Sik node with the UK entry once judged the same', async () => {
    await judgePair(store, 'eu-fsf-eu-3486-46', 'gb-ofsi-dpr0006', 'positive', {
      author: 'analyst-b',
      reason: 'both: Director in the reinsurance department of KNIC',
    });
    const results = await screeningService(store).search('최천식', { schema: 'Person', limit: 5, threshold: 0.7 });
    expect(results[0]?.id).toBe('eu-fsf-eu-3486-46');
    const node = (await canonicalEntity(store, results[0]!.id))!;
    expect(node.referents).toEqual(['eu-fsf-eu-3486-46', 'gb-ofsi-dpr0006']);
    expect(node.entity.get('alias')).toContain('최천식');
    expect(node.entity.get('name')).toEqual(['CHOE Chun-Sik', 'Chun-Sik Choe']);
    expect(node.entity.get('birthDate')).toEqual(['1963-12-23']);
  }, 180_000);

  it('GET /entities/{referent} answers 308 to the canonical URL; the canonical URL answers with referents', async () => {
    const app = await buildServer({ store, logLevel: false });
    try {
      const r = await app.inject({ method: 'GET', url: '/entities/un-kpi-077' });
      expect(r.statusCode).toBe(308);
      expect(r.headers.location).toBe('/entities/wk-791a64b731c59102');
      const c = await app.inject({ method: 'GET', url: '/entities/wk-791a64b731c59102' });
      expect(c.statusCode).toBe(200);
      const body = c.json();
      expect(body.referents).toEqual(['eu-fsf-eu-4279-24', 'gb-ofsi-dpr0267', 'ofac-22326', 'un-kpi-077']);
      expect(new Set(body.statements.map((s: { source: string }) => s.source))).toEqual(
        new Set(['eu_fsf', 'gb_hmt_sanctions', 'us_ofac_sdn', 'un_sc_sanctions']),
      );
      expect(body.sanctions.map((s: { id: string }) => s.id).sort()).toEqual([
        'eu-fsf-sanction-eu-4279-24',
        'gb-ofsi-sanction-dpr0267',
        'ofac-sanction-22326',
        'un-sanction-kpi-077',
      ]);
      expect((await app.inject({ method: 'GET', url: '/entities/wk-0000000000000000' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('a negative judgement splits an automatic merge; a later judgement on the pair replaces it', async () => {
    const before = await canonicalIdOf(store, 'ofac-22326');
    expect(await canonicalIdOf(store, 'un-kpi-077')).toBe(before);
    await judgePair(store, 'un-kpi-077', 'ofac-22326', 'negative', { author: 'analyst-c', reason: 'test split' });
    expect(await canonicalIdOf(store, 'un-kpi-077')).not.toBe(await canonicalIdOf(store, 'ofac-22326'));
    const refused = await loadJudgements(store.db, { origins: ['automatic'], entityId: 'un-kpi-077' });
    expect(refused.filter((j) => j.verdict === 'unsure').map((j) => j.reason)).toEqual([
      'not merged: same kp passport 654234735 (eu_fsf, un_sc_sanctions, us_ofac_sdn), but negative judgement on ofac-22326 / un-kpi-077',
    ]);
    await judgePair(store, 'un-kpi-077', 'ofac-22326', 'unsure', { author: 'analyst-c' });
    expect(await canonicalIdOf(store, 'un-kpi-077')).toBe(before);
  });

  it('judgements survive a re-import of a list and round-trip through a judgements file', async () => {
    const eu = (await store.currentVersions()).find((v) => v.source === 'eu_fsf')!;
    await store.deleteListVersion(eu.id);
    await resolveStore(store);
    expect(await canonicalIdOf(store, 'eu-fsf-eu-3486-46')).toBe('eu-fsf-eu-3486-46');
    const l = DEMO_LISTS[2];
    await importList(store, l.file, { format: l.format, fetchedAt: l.fetchedAt });
    await resolveStore(store);
    expect(await canonicalIdOf(store, 'eu-fsf-eu-3486-46')).toBe(await canonicalIdOf(store, 'gb-ofsi-dpr0006'));

    const lines = await exportJudgements(store);
    expect(lines.map((l) => JSON.parse(l).judgement)).toEqual([
      'positive',
      'positive',
      'positive',
      'negative',
      'unsure',
    ]);
    const file = path.join(dir, 'judgements.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(await applyJudgementsFile(store, file)).toEqual({ read: 5, added: 0, known: 5, automatic: 0 });
    writeFileSync(file, `${lines[0]}\n{"left":"a","right":"b","judgement":"maybe"}\n`);
    await expect(applyJudgementsFile(store, file)).rejects.toThrow(
      `${file}:2: "judgement" must be positive, negative or unsure (got "maybe")`,
    );
  });

  it('is deterministic: the same keys in any order give the same canonical ids', async () => {
    const keys = await loadKeys(store);
    const judgements = await loadJudgements(store.db, { origins: ['analyst', 'imported'] });
    const a = resolve(keys, judgements, '2026-01-01T00:00:00.000Z');
    const shuffled = [...keys].reverse();
    for (let i = shuffled.length - 1; i > 0; i -= 7) [shuffled[i], shuffled[i - 1]] = [shuffled[i - 1]!, shuffled[i]!];
    const b = resolve(shuffled, judgements, '2026-01-01T00:00:00.000Z');
    expect([...b.canonicalOf].sort()).toEqual([...a.canonicalOf].sort());
    expect(b.merges).toEqual(a.merges);
  });
});
