import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importList } from '../../src/lists/import.js';
import { entitiesFromStatements } from '../../src/model/entity.js';
import { vesselExposure } from '../../src/ownership/exposure.js';
import { importOwnershipFile } from '../../src/ownership/import.js';
import { loadNetwork } from '../../src/ownership/load.js';
import { buildNetwork } from '../../src/ownership/network.js';
import { partyVessels } from '../../src/ownership/party-view.js';
import { dataPath } from '../../src/paths.js';
import { canonicalIdOf, canonicalIdsOf } from '../../src/resolve/canonical.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { FIXTURES } from './helpers.js';

// Owners are joined on issue 13's canonical ids (src/resolve/canonical.ts): entries the resolver merged are one
// owner node. Before, parties were joined on the ownership module's own strong keys only (company number, UN
// reference, exact organisation name), so the two passport-sharing entries of canonical.ftm.jsonl stayed apart
// and the ship they own was not exposed.

const ASOF = '2026-09-01';
let dir: string;
let store: Store;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-own-canon-'));
  store = await openStore({ url: path.join(dir, 'canon.duckdb') });
  await importList(store, dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml'), {
    format: 'uk-yaml',
    fetchedAt: '2026-08-22T00:00:00.000Z',
  });
  await importList(store, dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'), {
    format: 'un-xml',
    fetchedAt: '2026-02-27T00:00:00.000Z',
  });
  await importOwnershipFile(store, path.join(FIXTURES, 'canonical.ftm.jsonl'), {
    fetchedAt: '2026-09-01T00:00:00.000Z',
  });
}, 120_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('owners on canonical ids', () => {
  it('two entries the resolver merged on a passport are one owner: the ship is exposed to the listed entry', async () => {
    const canonical = await canonicalIdOf(store, 'cx-person-owner');
    expect(canonical).toBe(await canonicalIdOf(store, 'cx-person-listed'));
    expect(canonical).not.toBe('cx-person-owner');
    const net = await loadNetwork(store, { asOf: ASOF });
    expect(net.parties.node('cx-person-owner')).toBe(net.parties.node('cx-person-listed'));
    // The canonical id names the party too.
    expect(net.parties.node(canonical)).toBe(net.parties.node('cx-person-listed'));
    const [f] = vesselExposure(net, { imo: 9316000 });
    expect(f?.explanation).toBe(
      'NORTHERN DAWN (IMO 9316000) is beneficially owned by listed PETROV, Ivan Sergeyevich (cx-person-listed), since 2022-01-01.',
    );
    expect(partyVessels(net, canonical).vessels.map((v) => [v.imo, v.role])).toEqual([[9316000, 'beneficial owner']]);
    // Without the canonical ids (the ownership module's own keys only) they stay apart and nothing is exposed.
    const entities = entitiesFromStatements(await store.currentStatements());
    const apart = buildNetwork(entities, { asOf: ASOF });
    expect(apart.parties.node('cx-person-owner')).not.toBe(apart.parties.node('cx-person-listed'));
    expect(vesselExposure(apart, { imo: 9316000 })).toEqual([]);
  });

  it('a company listed by the UN and the UK is one owner node, as the resolver says', async () => {
    const net = await loadNetwork(store, { asOf: ASOF });
    const ids = [...net.parties.entities.keys()].filter((id) => /^(un-kpe-066|gb-)/.test(id));
    const canon = await canonicalIdsOf(store, ids);
    const yujong = [...canon].filter(([, c]) => c === canon.get('un-kpe-066')).map(([id]) => id);
    expect(yujong.length).toBeGreaterThan(1);
    expect(new Set(yujong.map((id) => net.parties.node(id))).size).toBe(1);
  });
});
