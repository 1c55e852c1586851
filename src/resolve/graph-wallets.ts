import type { AttributionIndex, SdnEntity, Tag } from '../crypto/attribution.js';
import { CURRENT_FILTER } from '../store/repositories/statements.js';
import type { Store } from '../store/store.js';
import { walletAddress } from './strong-keys.js';

/**
 * Every CryptoWallet in the graph, for crypto screening: the wallets of the current version of every list
 * (a new OFAC sdn.csv naming a new address is screened the moment it is imported), and wallets outside versions
 * (user entities, attribution packs). The attribution index is built from the crypto_tags table; these wallets
 * are added to it as tags, except where a tag of the same source already names the address.
 */

/** Changes whenever a list version is added or removed (part of the attribution index's cache fingerprint). */
export async function graphWalletsFingerprint(store: Store): Promise<string> {
  const rows = await store.db.query('SELECT id, imported_at FROM list_versions ORDER BY id');
  return rows.map((r) => `${String(r.id)}@${String(r.imported_at)}`).join(',');
}

interface WalletRows {
  keys: Array<{ value: string; source: string; record: string }>;
  currency?: string;
  holders: string[];
  topics: Set<string>;
  programs: Set<string>;
}

/** Tags (and holder entities) for the graph's wallets. */
export async function graphWalletTags(store: Store): Promise<{ tags: Tag[]; holders: Map<string, SdnEntity> }> {
  const rows = await store.db.query(
    `SELECT s.entity_id, s.prop, s.value, s.source, s.source_record FROM statements s
     WHERE s.schema = 'CryptoWallet' AND s.prop IN ('publicKey', 'currency', 'holder', 'topics', 'programId')
       AND ${CURRENT_FILTER} ORDER BY s.entity_id, s.ord`,
  );
  const wallets = new Map<string, WalletRows>();
  for (const r of rows) {
    const id = String(r.entity_id);
    let w = wallets.get(id);
    if (!w) wallets.set(id, (w = { keys: [], holders: [], topics: new Set(), programs: new Set() }));
    const v = String(r.value);
    if (r.prop === 'publicKey') w.keys.push({ value: v, source: String(r.source), record: String(r.source_record) });
    else if (r.prop === 'currency') w.currency ??= v;
    else if (r.prop === 'holder') {
      if (!w.holders.includes(v)) w.holders.push(v);
    } else if (r.prop === 'topics') w.topics.add(v);
    else w.programs.add(v);
  }
  const holderIds = [...new Set([...wallets.values()].flatMap((w) => w.holders))];
  const names = await holderNames(store, holderIds);
  const holders = new Map<string, SdnEntity>();
  const tags: Tag[] = [];
  for (const w of wallets.values()) {
    const programs = [...w.programs].sort();
    const sanctioned = w.topics.has('sanction');
    const dprk = programs.some((p) => p.startsWith('DPRK')) || w.topics.has('crime.cyber');
    const holder = w.holders[0] ?? null;
    const name = holder ? (names.get(holder) ?? holder) : 'wallet named in the entity graph';
    if (holder && !holders.has(holder)) {
      holders.set(holder, { entityId: holder, uid: holder.replace(/^ofac-/, ''), name, akas: [], programs, dprk });
    }
    for (const k of w.keys) {
      const a = walletAddress(k.value, w.currency);
      if (!a) continue;
      tags.push({
        chain: a.chain,
        address: a.address,
        label: name,
        category: sanctioned ? 'sanctioned' : 'listed',
        abuse: sanctioned ? 'sanction' : null,
        actor: holder ? name : null,
        source: k.source,
        sourceRecord: k.record,
        confidence: 1,
        entityId: holder,
        programs,
        sanctioned,
        dprk,
      });
    }
  }
  return { tags, holders };
}

async function holderNames(store: Store, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const part = ids.slice(i, i + 1000);
    const rows = await store.db.query(
      `SELECT s.entity_id, s.value FROM statements s WHERE s.prop = 'name'
         AND s.entity_id IN (${part.map((_, k) => `$${k + 1}`).join(', ')}) AND ${CURRENT_FILTER}
       ORDER BY s.entity_id, s.ord`,
      part,
    );
    for (const r of rows) if (!out.has(String(r.entity_id))) out.set(String(r.entity_id), String(r.value));
  }
  return out;
}

/** Add the graph's wallets to an attribution index (skipping addresses a tag of the same source already names). */
export async function addGraphWallets(store: Store, index: AttributionIndex): Promise<number> {
  const { tags, holders } = await graphWalletTags(store);
  let added = 0;
  for (const t of tags) {
    if (index.get(t.chain, t.address).some((x) => x.source === t.source)) continue;
    index.add(t);
    added++;
  }
  for (const [id, e] of holders) if (!index.entities.has(id)) index.entities.set(id, e);
  return added;
}
