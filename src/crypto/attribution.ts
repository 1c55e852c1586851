import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../errors.js';
import type { Statement } from '../model/statement.js';
import { dataPath } from '../paths.js';
import { type Chain, chainFromAsset, checkAddress, detectAddress, walletEntityId } from './addresses.js';
import { readCsv } from './csv.js';

/**
 * Attribution: who is behind an address. Three sources, one Tag shape:
 * - OFAC SDN digital currency addresses (data/crypto/ofac/), each with its SDN entity (`ofac-<ent_num>`) and
 *   programmes;
 * - FBI-attributed Lazarus Group addresses (data/crypto/attribution/), linked to LAZARUS GROUP's SDN entry;
 * - GraphSense TagPacks (data/crypto/tagpacks/graphsense/): exchanges, mixers, hacks, ... with actor and
 *   confidence; an actor or label that names an SDN entity (name or a.k.a.) is linked to that entity.
 */

export type TagCategory = string;

export interface Tag {
  chain: Chain;
  /** Normalised address. */
  address: string;
  label: string;
  /** GraphSense category ("exchange", "mixing_service", "defi_dex", ...) or "sanctioned" for OFAC rows. */
  category: TagCategory;
  /** GraphSense abuse ("sanction", "service_hack", ...) when the address is tied to abuse. */
  abuse: string | null;
  /** Actor id (GraphSense actor, e.g. "lazarusgroup") or the SDN name. */
  actor: string | null;
  /** Dataset: "us_ofac_sdn", "us_fbi_lazarus", "graphsense:<pack>". */
  source: string;
  /** Where the source says it (URL or file:line). */
  sourceRecord: string;
  /** 0..1, from the source's confidence level (see CONFIDENCE). */
  confidence: number;
  /** List entity this tag names (e.g. `ofac-27307` for LAZARUS GROUP), when the source says so. */
  entityId: string | null;
  /** Sanctions programmes (OFAC), e.g. ["DPRK3"]. */
  programs: string[];
  /** On a sanctions list (OFAC) — exact list hit. */
  sanctioned: boolean;
  /** Attributed to the DPRK (DPRK programmes, Lazarus Group actor or FBI attribution). */
  dprk: boolean;
}

/**
 * Our numeric reading of GraphSense confidence level names (their taxonomy names the levels; the numbers are our
 * choice, documented in docs/crypto.md): authority data and proven ownership near 1, forensic and service data
 * high, crawled and transaction-derived tags lower.
 */
export const CONFIDENCE: Record<string, number> = {
  ownership: 1,
  authority_data: 0.95,
  ledger_immanent: 0.95,
  forensic: 0.85,
  service_data: 0.8,
  manual_check: 0.7,
  untrusted_transaction: 0.5,
  web_crawl: 0.4,
};

/** Categories where tracing stops: the place funds can be frozen. */
export const SERVICE_STOP_CATEGORIES = new Set([
  'exchange',
  'market',
  'wallet_service',
  'gambling',
  'payment_processor',
]);
/** Categories a trace marks (and passes through): mixers, coinjoin coordinators and bridges. */
export const OBFUSCATION_CATEGORIES = new Set(['mixing_service', 'coinjoin', 'bridge', 'defi_bridge']);

export interface SdnEntity {
  entityId: string;
  uid: string;
  name: string;
  akas: string[];
  programs: string[];
  dprk: boolean;
}

export interface AttributionLoad {
  tags: Tag[];
  entities: Map<string, SdnEntity>;
  /** Rows or tags skipped, with where and why (counted and reported, never silently dropped). */
  rejected: Array<{ where: string; reason: string }>;
  /** Tags skipped because their currency is not a chain we model (e.g. XMR, ADA): counted per currency. */
  unsupported: Record<string, number>;
}

/** Token currencies that exist on several chains; the address decides the chain. */
const TOKEN_CURRENCIES = new Set(['USDT', 'USDC', 'BEP20', 'ERC20', 'TRC20']);

const norm = (s: string) =>
  s
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();

/** OFAC SDN digital-currency addresses (address,asset,sdn_entity,sdn_uid,programs,akas,dprk_program). */
export async function loadOfacAddresses(file: string, out: AttributionLoad): Promise<void> {
  const base = path.basename(file);
  for await (const row of readCsv(file)) {
    const v = row.values;
    const where = `${base}:${row.line}`;
    if (!v.address || !v.sdn_uid) {
      out.rejected.push({ where, reason: 'missing address or sdn_uid' });
      continue;
    }
    const programs = (v.programs ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const entityId = `ofac-${v.sdn_uid}`;
    const dprk = v.dprk_program === 'true' || programs.some((p) => p.startsWith('DPRK'));
    if (!out.entities.has(entityId)) {
      out.entities.set(entityId, {
        entityId,
        uid: v.sdn_uid,
        name: v.sdn_entity ?? '',
        akas: (v.akas ?? '').split('|').filter(Boolean),
        programs,
        dprk,
      });
    }
    // The SDN asset type is a hint, not fact (one "XBT" address is a Tron address): detect the chain.
    const hint = chainFromAsset(v.asset ?? '');
    let check = hint ? checkAddress(hint, v.address) : null;
    if (!check?.ok) {
      for (const c of ['eth', 'btc', 'trx', 'ltc'] as const) {
        const r = checkAddress(c, v.address);
        if (r.ok) {
          check = r;
          break;
        }
      }
    }
    if (!check?.ok) {
      out.unsupported[v.asset ?? '?'] = (out.unsupported[v.asset ?? '?'] ?? 0) + 1;
      continue;
    }
    out.tags.push({
      chain: check.chain,
      address: check.address,
      label: v.sdn_entity ?? '',
      category: 'sanctioned',
      abuse: 'sanction',
      actor: v.sdn_entity ?? null,
      source: 'us_ofac_sdn',
      sourceRecord: where,
      confidence: 1,
      entityId,
      programs,
      sanctioned: true,
      dprk,
    });
  }
}

/** FBI-attributed Lazarus addresses (address,chain,incident,attributed_to,authority,notice_date,source_url,...). */
export async function loadFbiAttribution(file: string, out: AttributionLoad): Promise<void> {
  const base = path.basename(file);
  const lazarus = findEntityByName(out.entities, 'LAZARUS GROUP');
  for await (const row of readCsv(file)) {
    const v = row.values;
    const where = `${base}:${row.line}`;
    const chain = chainFromAsset(v.chain ?? '');
    if (!chain) {
      out.unsupported[v.chain ?? '?'] = (out.unsupported[v.chain ?? '?'] ?? 0) + 1;
      continue;
    }
    const check = checkAddress(chain, v.address ?? '');
    if (!check.ok) {
      out.rejected.push({ where, reason: check.reason });
      continue;
    }
    const namesLazarus = /lazarus/i.test(v.attributed_to ?? '');
    out.tags.push({
      chain: check.chain,
      address: check.address,
      label: `${v.attributed_to}: ${v.incident}`,
      category: 'user',
      abuse: 'service_hack',
      actor: namesLazarus ? 'lazarusgroup' : (v.attributed_to ?? null),
      source: 'us_fbi_lazarus',
      sourceRecord: v.source_url || where,
      confidence: 0.95,
      entityId: namesLazarus && lazarus ? lazarus.entityId : null,
      programs: [],
      sanctioned: false,
      dprk: true,
    });
  }
}

/** GraphSense actor ids → labels (from graphsense.actorpack.yaml), read line-wise (the file is 1.5 MB). */
export function loadActorLabels(file: string): Map<string, string> {
  const out = new Map<string, string>();
  let id: string | null = null;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^- id: (.+)$/.exec(line);
    if (m) {
      id = m[1]!.trim();
      continue;
    }
    const l = /^ {2}label: (.+)$/.exec(line);
    if (l && id) {
      out.set(id, l[1]!.trim().replace(/^['"]|['"]$/g, ''));
      id = null;
    }
  }
  return out;
}

interface TagPackYaml {
  title?: string;
  source?: string;
  currency?: string;
  category?: string;
  abuse?: string;
  actor?: string;
  label?: string;
  confidence?: string;
  tags?: Array<Record<string, unknown>>;
}

/** One GraphSense TagPack: header defaults apply to each tag unless the tag overrides them. */
export function loadTagPack(file: string, out: AttributionLoad, actorLabels: Map<string, string>): void {
  tagPackTags(readFileSync(file, 'utf8'), path.basename(file), out, actorLabels);
}

/** The tags of one TagPack's text (`fileName` names the pack: `graphsense:<name without .yaml>`). */
export function tagPackTags(
  text: string,
  fileName: string,
  out: AttributionLoad,
  actorLabels: Map<string, string>,
): void {
  const pack = fileName.replace(/\.ya?ml$/, '');
  const file = fileName;
  let doc: TagPackYaml;
  try {
    doc = parseYaml(text) as TagPackYaml;
  } catch (e) {
    throw new InputError(`${fileName}: not valid YAML: ${(e as Error).message}`);
  }
  if (!doc || !Array.isArray(doc.tags)) throw new InputError(`${fileName}: no "tags:" list (not a TagPack)`);
  const byName = entityNameIndex(out.entities);
  doc.tags.forEach((t, i) => {
    const get = (k: keyof TagPackYaml): string | undefined => {
      const v = t[k] ?? doc[k];
      return v === undefined || v === null ? undefined : String(v);
    };
    const where = `${path.basename(file)}: tag #${i + 1}`;
    const currency = get('currency') ?? '';
    const chain = chainFromAsset(currency);
    const token = TOKEN_CURRENCIES.has(currency.toUpperCase());
    if (!chain && !token) {
      out.unsupported[currency || '?'] = (out.unsupported[currency || '?'] ?? 0) + 1;
      return;
    }
    // Tokens live on several chains (USDT on Ethereum and Tron): the address shape says which.
    const check = chain ? checkAddress(chain, String(t.address ?? '')) : detectAddress(String(t.address ?? ''));
    if (!check.ok) {
      out.rejected.push({ where, reason: `${check.reason} (${String(t.address)})` });
      return;
    }
    const actor = get('actor') ?? null;
    const abuse = get('abuse') ?? null;
    const label = get('label') ?? get('title') ?? pack;
    const actorLabel = actor ? actorLabels.get(actor) : undefined;
    const entity =
      (actorLabel ? byName.get(norm(actorLabel)) : undefined) ??
      (actor ? byName.get(norm(actor)) : undefined) ??
      byName.get(norm(label));
    const conf = get('confidence');
    out.tags.push({
      chain: check.chain,
      address: check.address,
      label,
      category: get('category') ?? (abuse ? 'user' : 'unknown'),
      abuse,
      actor,
      source: `graphsense:${pack}`,
      sourceRecord: get('source') ?? where,
      confidence: conf ? (CONFIDENCE[conf] ?? 0.5) : 0.5,
      entityId: entity?.entityId ?? null,
      programs: entity?.programs ?? [],
      sanctioned: false,
      dprk: actor === 'lazarusgroup' || (entity?.dprk ?? false),
    });
  });
}

function entityNameIndex(entities: Map<string, SdnEntity>): Map<string, SdnEntity> {
  const m = new Map<string, SdnEntity>();
  for (const e of entities.values()) {
    for (const n of [e.name, ...e.akas]) if (n) m.set(norm(n), e);
  }
  return m;
}

function findEntityByName(entities: Map<string, SdnEntity>, name: string): SdnEntity | undefined {
  return entityNameIndex(entities).get(norm(name));
}

export interface LoadAttributionOptions {
  /** Default: the bundled data under data/crypto/. */
  ofacFile?: string;
  fbiFile?: string;
  tagpackDir?: string;
  /** Only these TagPacks (file names without .yaml); default all. */
  packs?: string[];
}

/** Load every bundled attribution source (OFAC first, so the others can link to SDN entities). */
export async function loadAttribution(opts: LoadAttributionOptions = {}): Promise<AttributionLoad> {
  const out: AttributionLoad = { tags: [], entities: new Map(), rejected: [], unsupported: {} };
  await loadOfacAddresses(
    opts.ofacFile ?? dataPath('crypto', 'ofac', 'ofac_sdn_digital_currency_addresses_2026-08-20.csv'),
    out,
  );
  await loadFbiAttribution(
    opts.fbiFile ?? dataPath('crypto', 'attribution', 'fbi_lazarus_attributed_addresses.csv'),
    out,
  );
  const dir = opts.tagpackDir ?? dataPath('crypto', 'tagpacks', 'graphsense');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.includes('actorpack'));
  const actorFile = path.join(dir, 'graphsense.actorpack.yaml');
  const actors =
    files.length > 0 && readdirSync(dir).includes('graphsense.actorpack.yaml') ? loadActorLabels(actorFile) : new Map();
  for (const f of files.sort()) {
    if (opts.packs && !opts.packs.includes(f.replace(/\.yaml$/, ''))) continue;
    loadTagPack(path.join(dir, f), out, actors);
  }
  return out;
}

/** In-memory lookup: chain + normalised address → tags. */
export class AttributionIndex {
  /** chain → normalised address → tags (one Map per chain: no key strings built per lookup). */
  private readonly byChain = new Map<Chain, Map<string, Tag[]>>();
  readonly entities: Map<string, SdnEntity>;

  constructor(tags: Iterable<Tag>, entities: Map<string, SdnEntity> = new Map()) {
    this.entities = entities;
    for (const t of tags) this.add(t);
  }

  add(t: Tag): void {
    let m = this.byChain.get(t.chain);
    if (!m) this.byChain.set(t.chain, (m = new Map()));
    const list = m.get(t.address);
    if (list) list.push(t);
    else m.set(t.address, [t]);
  }

  get(chain: Chain, address: string): Tag[] {
    return this.byChain.get(chain)?.get(address) ?? NO_TAGS;
  }

  has(chain: Chain, address: string): boolean {
    return this.byChain.get(chain)?.has(address) ?? false;
  }

  get size(): number {
    let n = 0;
    for (const m of this.byChain.values()) n += m.size;
    return n;
  }

  /** All (chain, address) keys with at least one tag matching `pred`. */
  *addresses(pred: (t: Tag) => boolean): Generator<{ chain: Chain; address: string; tags: Tag[] }> {
    for (const m of this.byChain.values()) {
      for (const tags of m.values())
        if (tags.some(pred)) yield { chain: tags[0]!.chain, address: tags[0]!.address, tags };
    }
  }
}

const NO_TAGS: Tag[] = [];

/** Is this address on a list or attributed to the DPRK (the sources that exposure measures)? */
export function isIllicitSource(tags: Tag[]): boolean {
  return tags.some((t) => t.sanctioned || t.dprk);
}

/** The service a trace stops at (exchange...) or passes and marks (mixer, bridge), from the best tag. */
export function serviceOf(tags: Tag[]): {
  role: 'stop' | 'mixer' | null;
  label: string | null;
  category: string | null;
} {
  const sorted = [...tags].sort((a, b) => b.confidence - a.confidence);
  for (const t of sorted)
    if (SERVICE_STOP_CATEGORIES.has(t.category)) return { role: 'stop', label: serviceName(t), category: t.category };
  for (const t of sorted) {
    const bridge = t.category.startsWith('defi') && /\bbridge\b/i.test(t.label) && !/exploit|hack/i.test(t.label);
    if (OBFUSCATION_CATEGORIES.has(t.category) || bridge) {
      return { role: 'mixer', label: serviceName(t), category: t.category };
    }
  }
  return { role: null, label: sorted[0] ? serviceName(sorted[0]) : null, category: sorted[0]?.category ?? null };
}

function serviceName(t: Tag): string {
  return t.actor && !t.sanctioned ? t.actor : t.label;
}

/** FtM CryptoWallet statements for tagged addresses that a list names (so screening and the UI see wallets). */
export function walletStatements(tags: Tag[], seenAt: string): Statement[] {
  const out: Statement[] = [];
  const seen = new Set<string>();
  for (const t of tags) {
    if (!t.sanctioned && !t.dprk) continue;
    const id = walletEntityId(t.chain, t.address);
    const add = (prop: string, value: string) => {
      const k = `${id}\u0000${prop}\u0000${value}\u0000${t.source}`;
      if (seen.has(k)) return;
      seen.add(k);
      out.push({
        entityId: id,
        schema: 'CryptoWallet',
        prop,
        value,
        source: t.source,
        sourceRecord: t.sourceRecord,
        seenAt,
      });
    };
    add('publicKey', t.address);
    add('currencySymbol', t.chain.toUpperCase());
    if (t.entityId) add('holder', t.entityId);
    if (t.sanctioned) add('topics', 'sanction');
    if (t.dprk) add('topics', 'crime.cyber');
    add('notes', t.label);
  }
  return out;
}
