import { createHash } from 'node:crypto';
import path from 'node:path';
import { InputError, NotFoundError } from '../errors.js';
import type { Finding } from '../findings/finding.js';
import { readTransfersFile } from '../ingest/transfers-file.js';
import { dataPath } from '../paths.js';
import { addGraphWallets, graphWalletsFingerprint } from '../resolve/graph-wallets.js';
import type { Store } from '../store/store.js';
import { sha256File } from '../util/hash.js';
import { type Chain, checkAddress, detectAddress, displayAddress, isUtxoChain } from './addresses.js';
import { formatUnits, parseUnits } from './amounts.js';
import {
  AttributionIndex,
  type LoadAttributionOptions,
  loadActorLabels,
  loadAttribution,
  type SdnEntity,
  walletStatements,
} from './attribution.js';
import {
  detectFormat,
  parseUserAttribution,
  type UserAttributionFormat,
  type UserAttributionOptions,
} from './attribution-user.js';
import { clusterAddresses } from './cluster.js';
import { computeExposure, type ExposureResult, requireTargets } from './exposure.js';
import { type ExposureFrontierStats, firstReceivedMs, frontierExposure } from './exposure-frontier.js';
import { exposureFinding, sanctionedCounterpartyFindings, traceFinding } from './findings.js';
import { FRONTIER_BATCH, type FrontierStats, frontierTrace } from './frontier.js';
import { TransferGraph } from './graph.js';
import { NATIVE_ASSET, type Transfer, utxoToTransfers } from './model.js';
import { buildReport, roleOfTags, rolesFor, type TraceReport } from './report.js';
import { type ScreenCounterparty, type ScreenResult, screenAddress } from './screen.js';
import {
  clusterMembers,
  countTags,
  insertTransfers,
  loadTags,
  loadUtxoTxs,
  queryTransfers,
  replaceTags,
  saveClusters,
  tagsFingerprint,
  transfersTouching,
} from './store/repo.js';
import { DEFAULT_TRACE_PARAMS, type TraceMethod, type TraceResult, trace } from './trace.js';
import { type UtxoFrontierStats, utxoFrontierTrace } from './utxo-frontier.js';
import { traceUtxo, utxoTraceParams } from './utxo-trace.js';
import { UtxoTransferReader } from './utxo-transfer-reader.js';

/**
 * Store-backed crypto operations shared by the CLI and the HTTP API: import attribution and transfer files,
 * screen, trace, exposure, clustering. Each import is atomic (one transaction) and recorded in the imports log.
 */

// ---- attribution ---------------------------------------------------------------------------------------------

export interface AttributionImportResult {
  created: boolean;
  tags: number;
  sources: Record<string, number>;
  entities: number;
  wallets: number;
  rejected: Array<{ where: string; reason: string }>;
  unsupported: Record<string, number>;
}

export async function importAttribution(
  store: Store,
  opts: LoadAttributionOptions = {},
): Promise<AttributionImportResult> {
  const load = await loadAttribution(opts);
  const h = createHash('sha256');
  for (const t of load.tags)
    h.update(`${t.source}\u0000${t.chain}\u0000${t.address}\u0000${t.label}\u0000${t.category}\n`);
  const sha = h.digest('hex');
  const sources: Record<string, number> = {};
  for (const t of load.tags) sources[t.source] = (sources[t.source] ?? 0) + 1;
  const base = {
    tags: load.tags.length,
    sources,
    entities: load.entities.size,
    rejected: load.rejected,
    unsupported: load.unsupported,
  };
  const prior = await store.findImport('crypto.attribution', sha);
  if (prior && (await countTags(store.db)) > 0) return { ...base, created: false, wallets: 0 };
  const importId = `crypto-attribution@${sha.slice(0, 12)}`;
  const statements = walletStatements(load.tags, new Date().toISOString());
  invalidateAttributionIndex(store);
  await store.db.transaction(async () => {
    await replaceTags(store.db, load.tags, importId);
    if (!prior) {
      await store.putStatements(statements);
      await store.recordImport({
        id: importId,
        kind: 'crypto.attribution',
        location: 'data/crypto (ofac, attribution, tagpacks/graphsense)',
        sha256: sha,
        importedAt: new Date().toISOString(),
        rowCount: load.tags.length,
        details: { sources, rejected: load.rejected.length, unsupported: load.unsupported },
      });
    }
  });
  invalidateAttributionIndex(store);
  return { ...base, created: true, wallets: new Set(statements.map((s) => s.entityId)).size };
}

/** What `crypto attribution add` did: the pack's source, its tags, and the lines it could not read. */
export interface UserAttributionResult {
  created: boolean;
  importId: string;
  source: string;
  format: UserAttributionFormat;
  sha256: string;
  tags: number;
  dprk: number;
  linked: Record<string, number>;
  bundledImported: boolean;
  rejected: Array<{ where: string; reason: string }>;
  unsupported: Record<string, number>;
}

/**
 * Add a user's attribution file beside the bundled packs (source `user:<name>`): the bundled tags are never
 * touched (they are imported first when the store has none); re-adding a new version of the same pack name
 * replaces that pack only; the same file twice is a no-op. The attribution index cache is dropped, so the next
 * screen, trace or exposure in this process (and, through the tags fingerprint, in any other) sees the tags.
 */
export async function addUserAttribution(
  store: Store,
  fileName: string,
  text: string,
  opts: UserAttributionOptions = {},
): Promise<UserAttributionResult> {
  let bundledImported = false;
  const bundled = await store.db.query("SELECT COUNT(*) AS n FROM crypto_tags WHERE source NOT LIKE 'user:%'");
  if (Number(bundled[0]?.n ?? 0) === 0) {
    await importAttribution(store);
    bundledImported = true;
  }
  const index = await attributionIndex(store);
  const needActors = opts.format === 'tagpack' || detectFormat(fileName, text) === 'tagpack';
  const actors = needActors ? bundledActorLabels() : new Map<string, string>();
  const parsed = parseUserAttribution(fileName, text, opts, index.entities, actors);
  // One tag per chain and address (a file may repeat an address): the first line wins.
  const seen = new Set<string>();
  const tags = parsed.tags.filter((t) => {
    const k = `${t.chain}\u0000${t.address}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (tags.length === 0) {
    const why = parsed.rejected[0] ? `; first problem: ${parsed.rejected[0].where}: ${parsed.rejected[0].reason}` : '';
    throw new InputError(`${path.basename(fileName)}: no valid address found${why}`);
  }
  const importId = `crypto-attribution-user:${parsed.name}@${parsed.sha256.slice(0, 12)}`;
  const linked: Record<string, number> = {};
  for (const t of tags) if (t.entityId) linked[t.entityId] = (linked[t.entityId] ?? 0) + 1;
  const base = {
    importId,
    source: parsed.source,
    format: parsed.format,
    sha256: parsed.sha256,
    tags: tags.length,
    dprk: tags.filter((t) => t.dprk).length,
    linked,
    bundledImported,
    rejected: parsed.rejected,
    unsupported: parsed.unsupported,
  };
  const present = await store.db.query('SELECT COUNT(*) AS n FROM crypto_tags WHERE import_id = $1', [importId]);
  if (Number(present[0]?.n ?? 0) > 0) return { ...base, created: false };
  const now = new Date().toISOString();
  invalidateAttributionIndex(store);
  await store.db.transaction(async () => {
    await replaceTags(store.db, tags, importId); // deletes only this pack's earlier version (same source)
    await store.putStatements(walletStatements(tags, now));
    if (!(await store.findImport('crypto.attribution.user', parsed.sha256))) {
      await store.recordImport({
        id: importId,
        kind: 'crypto.attribution.user',
        location: fileName,
        sha256: parsed.sha256,
        importedAt: now,
        rowCount: tags.length,
        details: { source: parsed.source, format: parsed.format, rejected: parsed.rejected.length },
      });
    }
  });
  invalidateAttributionIndex(store);
  return { ...base, created: true };
}

let actorLabelCache: Map<string, string> | undefined;
function bundledActorLabels(): Map<string, string> {
  actorLabelCache ??= loadActorLabels(dataPath('crypto', 'tagpacks', 'graphsense', 'graphsense.actorpack.yaml'));
  return actorLabelCache;
}

/**
 * The attribution index per store, built once and reused by every request (building it from ~60,000 tag rows
 * takes about a second). An attribution import in this process drops it at once; before each use the tags
 * table's fingerprint (rows per import id, one small GROUP BY) is compared, so an import made by another process
 * on the same database is seen too.
 */
const indexCache = new WeakMap<Store, { fingerprint: string; index: Promise<AttributionIndex> }>();

/** Forget the cached index of a store (called by attribution imports). */
export function invalidateAttributionIndex(store: Store): void {
  indexCache.delete(store);
}

/** The attribution index from the store's tags (SDN entities rebuilt from the OFAC tags), cached per store. */
export async function attributionIndex(store: Store): Promise<AttributionIndex> {
  // The list versions are part of the fingerprint: a list import (here or in another process) adds its wallets.
  const fingerprint = `${await tagsFingerprint(store.db)}|${await graphWalletsFingerprint(store)}`;
  const cached = indexCache.get(store);
  if (cached && cached.fingerprint === fingerprint) return cached.index;
  const index = buildAttributionIndex(store);
  indexCache.set(store, { fingerprint, index });
  index.catch(() => {
    if (indexCache.get(store)?.index === index) indexCache.delete(store);
  });
  return index;
}

async function buildAttributionIndex(store: Store): Promise<AttributionIndex> {
  const tags = await loadTags(store.db);
  const entities = new Map<string, SdnEntity>();
  for (const t of tags) {
    if (!t.sanctioned || !t.entityId || entities.has(t.entityId)) continue;
    entities.set(t.entityId, {
      entityId: t.entityId,
      uid: t.entityId.replace(/^ofac-/, ''),
      name: t.label,
      akas: [],
      programs: t.programs,
      dprk: t.dprk,
    });
  }
  const index = new AttributionIndex(tags, entities);
  await addGraphWallets(store, index); // every CryptoWallet of the current list versions and user entities
  return index;
}

// ---- transfer files --------------------------------------------------------------------------------------------

export interface FileImportResult {
  created: boolean;
  importId: string;
  file: string;
  format: string;
  transfers: number;
  rejected: Array<{ where: string; reason: string }>;
}

export async function importTransferFile(
  store: Store,
  file: string,
  opts: { chain?: Chain; skipBad?: boolean } = {},
): Promise<FileImportResult> {
  const sha = await sha256File(file);
  const prior = await store.findImport('crypto.transfers-file', sha);
  if (prior) {
    return {
      created: false,
      importId: prior.id,
      file,
      format: String(prior.details?.format ?? ''),
      transfers: prior.rowCount,
      rejected: [],
    };
  }
  const parsed = await readTransfersFile(file, opts);
  const importId = `transfers-file@${sha.slice(0, 12)}`;
  await store.db.transaction(async (tx) => {
    await insertTransfers(tx, parsed.transfers, importId);
    await store.recordImport({
      id: importId,
      kind: 'crypto.transfers-file',
      location: path.resolve(file),
      sha256: sha,
      importedAt: new Date().toISOString(),
      rowCount: parsed.transfers.length,
      details: { format: parsed.format, rejected: parsed.rejected.length },
    });
  });
  return {
    created: true,
    importId,
    file,
    format: parsed.format,
    transfers: parsed.transfers.length,
    rejected: parsed.rejected,
  };
}

// ---- graph -------------------------------------------------------------------------------------------------------

export interface GraphQuery {
  chain: Chain;
  /** Native symbol (default) or token contract address. */
  asset?: string;
  sinceMs?: number;
  untilMs?: number;
}

/** The stored asset code: the chain's native symbol, or a token contract's normalised address. */
function resolveAsset(chain: Chain, given: string | undefined): string {
  const native = NATIVE_ASSET[chain];
  if (!given || given.toUpperCase() === native.symbol) return native.symbol;
  const c = checkAddress(chain, given);
  if (!c.ok) throw new InputError(`asset: "${given}" is neither ${native.symbol} nor a token contract: ${c.reason}`);
  return c.address;
}

/**
 * Every transfer of a chain and asset in memory, as one graph (exposure, clustering, and the whole-graph trace
 * that `traceFromStore` keeps for UTXO chains and for parity checks; account-chain traces read their frontier).
 */
export async function loadGraph(
  store: Store,
  q: GraphQuery,
): Promise<{ graph: TransferGraph; asset: string; decimals: number; transfers: Transfer[] }> {
  const native = NATIVE_ASSET[q.chain];
  const asset = resolveAsset(q.chain, q.asset);
  let transfers: Transfer[];
  if (q.chain === 'btc' || q.chain === 'btc-testnet' || q.chain === 'ltc') {
    const txs = await loadUtxoTxs(store.db, q.chain);
    transfers = txs
      .flatMap((t) => utxoToTransfers(t))
      .concat(await queryTransfers(store.db, { chain: q.chain, asset }));
  } else {
    transfers = await queryTransfers(store.db, { chain: q.chain, asset });
  }
  const decimals = transfers[0]?.decimals ?? native.decimals;
  return { graph: TransferGraph.fromTransfers(transfers), asset, decimals, transfers };
}

// ---- trace -------------------------------------------------------------------------------------------------------

export interface TraceRequest {
  chain: Chain;
  from?: string[];
  txs?: string[];
  asset?: string;
  method?: TraceMethod;
  direction?: 'forward' | 'backward';
  hops?: number;
  /** Decimal amount in asset units. */
  minAmount?: string;
  since?: string;
  until?: string;
  limit?: number;
  /** Store a `crypto.trace` finding. */
  save?: boolean;
  /** Build the `crypto.trace` finding without storing it (verify re-runs findings this way). */
  finding?: boolean;
}

function parseTime(s: string | undefined, field: string): number | undefined {
  if (s === undefined || s === '') return undefined;
  const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (Number.isNaN(t)) throw new InputError(`${field}: not an ISO 8601 time "${s}"`);
  return t;
}

/** How a store-backed trace reads its transfers (tests and benchmarks compare the two). */
export interface TraceReadOptions {
  /**
   * `frontier` (default): only the transfers the answer depends on, hop by hop
   * (src/crypto/frontier.ts; forward UTXO traces: src/crypto/utxo-frontier.ts); `whole`: every transfer (or UTXO
   * transaction) of the chain. Both give the same report.
   */
  read?: 'frontier' | 'whole';
  /** Told what the frontier read cost (rows, statements, rounds). */
  onStats?: (stats: FrontierStats) => void;
  /** UTXO forward traces: told what the frontier read cost (src/crypto/utxo-frontier.ts). */
  onUtxoStats?: (stats: UtxoFrontierStats) => void;
  /** Addresses (or txids) per statement of the frontier read (default per engine, see `FRONTIER_BATCH`). */
  batchSize?: number;
}

export async function traceFromStore(
  store: Store,
  req: TraceRequest,
  opts: TraceReadOptions = {},
): Promise<TraceReport & { finding?: Finding }> {
  const utxo = isUtxoChain(req.chain) && (req.direction ?? 'forward') === 'forward' && !req.asset;
  const index = await attributionIndex(store);
  const native = NATIVE_ASSET[req.chain];
  const params = {
    method: req.method ?? 'haircut',
    direction: req.direction ?? 'forward',
    maxHops: req.hops ?? 6,
    sinceMs: parseTime(req.since, 'since'),
    untilMs: parseTime(req.until, 'until'),
    maxListed: req.limit ?? 10_000,
  } as const;
  const seedAddrs: string[] = [];
  for (const a of req.from ?? []) {
    const c = checkAddress(req.chain, a);
    if (!c.ok) throw new InputError(`--from: invalid ${req.chain} address "${a}": ${c.reason}`);
    seedAddrs.push(c.address);
  }
  const seedTxs = new Set((req.txs ?? []).map((t) => t.trim()));
  if (seedAddrs.length === 0 && seedTxs.size === 0) throw new InputError('trace: give --from ADDRESS or --tx HASH');
  let report: TraceReport;
  if (utxo) {
    // Bitcoin-like chains: taint follows exact outputs (UTXO), transaction by transaction.
    const minAmount = req.minAmount ? Number(parseUnits(req.minAmount, native.decimals, 'min amount')) : 0;
    const p = utxoTraceParams({ ...params, minAmount });
    const roleOf = (a: string) => roleOfTags(index.get(req.chain, a));
    const missingSeed = (a: string) =>
      new NotFoundError(`no ${native.symbol} transactions stored for ${a}: import them first`);
    let traced: { result: TraceResult; addresses: string[] };
    if (opts.read === 'whole') {
      const txs = await loadUtxoTxs(store.db, req.chain);
      const known = new Set(txs.flatMap((t) => t.outputs.map((o) => o.address)));
      for (const a of seedAddrs) if (!known.has(a)) throw missingSeed(a);
      traced = traceUtxo({ txs, seedAddresses: seedAddrs, seedTxids: [...seedTxs], params: p, roleOf });
    } else {
      const out = await utxoFrontierTrace({
        db: store.db,
        chain: req.chain,
        seeds: seedAddrs,
        seedTxs,
        params: p,
        roleOf,
        missingSeed,
        batchSize: opts.batchSize,
      });
      opts.onUtxoStats?.(out.stats);
      traced = out;
    }
    report = buildReport(traced.result, traced.addresses, index, {
      chain: req.chain,
      asset: native.symbol,
      decimals: native.decimals,
    });
  } else if (opts.read !== 'whole') {
    // Account chains, and UTXO chains backward or with --asset: the frontier over the transfers of the chain and
    // asset (on UTXO chains those loadGraph derives from the UTXO tables, src/crypto/utxo-transfer-reader.ts).
    const asset = resolveAsset(req.chain, req.asset);
    const query = { chain: req.chain, asset, sinceMs: params.sinceMs, untilMs: params.untilMs };
    const batch = opts.batchSize ?? FRONTIER_BATCH[store.db.dialect];
    const out = await frontierTrace({
      db: store.db,
      query,
      reader: isUtxoChain(req.chain) ? new UtxoTransferReader(store.db, query, batch) : undefined,
      seeds: seedAddrs,
      seedTxs,
      params: { ...DEFAULT_TRACE_PARAMS, ...params },
      // In asset units: converted with the decimals stored on the asset's transfers, once the first are read.
      minAmount: (d) => (req.minAmount ? Number(parseUnits(req.minAmount, d ?? native.decimals, 'min amount')) : 0),
      index,
      missingSeed: (a) =>
        new NotFoundError(
          `no ${asset} transfers stored for ${displayAddress(req.chain, a)}: import its transfers first`,
        ),
      batchSize: batch,
    });
    opts.onStats?.(out.stats);
    report = buildReport(out.result, out.graph.addresses, index, {
      chain: req.chain,
      asset,
      decimals: out.decimals ?? native.decimals,
    });
  } else {
    const { graph, asset, decimals } = await loadGraph(store, { chain: req.chain, asset: req.asset });
    const seeds: number[] = [];
    for (const a of seedAddrs) {
      const id = graph.id(a);
      if (id === undefined)
        throw new NotFoundError(
          `no ${asset} transfers stored for ${displayAddress(req.chain, a)}: import its transfers first`,
        );
      seeds.push(id);
    }
    const result = trace({
      graph,
      seeds,
      seedTxs,
      roles: rolesFor(graph, index, req.chain),
      params: { ...params, minAmount: req.minAmount ? Number(parseUnits(req.minAmount, decimals, 'min amount')) : 0 },
    });
    report = buildReport(result, graph.addresses, index, { chain: req.chain, asset, decimals });
  }
  if (req.save || req.finding) {
    const f = traceFinding(report);
    if (f) {
      if (req.save) await store.putFindings([f]);
      return { ...report, finding: f };
    }
  }
  return report;
}

// ---- screening -----------------------------------------------------------------------------------------------------

export async function screenFromStore(
  store: Store,
  inputs: string[],
  opts: { chain?: Chain; counterparties?: boolean; save?: boolean } = {},
): Promise<{ results: ScreenResult[]; findings: Finding[] }> {
  const index = await attributionIndex(store);
  const results = inputs.map((i) => screenAddress(index, i, opts.chain));
  const findings: Finding[] = [];
  if (opts.counterparties !== false) {
    // The transfers of every screened address, one query per chain and 1,000 addresses.
    const wanted = new Map<Chain, string[]>();
    for (const r of results) {
      if (!r.valid || !r.chain || !r.address) continue;
      const l = wanted.get(r.chain) ?? [];
      l.push(r.chain === 'eth' ? r.address.toLowerCase() : r.address);
      wanted.set(r.chain, l);
    }
    const touching = new Map<Chain, Map<string, Transfer[]>>();
    for (const [chain, addrs] of wanted) touching.set(chain, await transfersTouching(store.db, chain, addrs));
    for (const r of results) {
      if (!r.valid || !r.chain || !r.address) continue;
      const addr = r.chain === 'eth' ? r.address.toLowerCase() : r.address;
      const transfers = touching.get(r.chain)?.get(addr) ?? [];
      const byCp = new Map<
        string,
        {
          in: number;
          out: number;
          totals: Map<string, bigint>;
          decimals: Map<string, number>;
          txs: string[];
          first: number;
        }
      >();
      for (const t of transfers) {
        const other = t.from === addr ? t.to : t.from;
        if (other === addr || index.get(r.chain, other).every((x) => !x.sanctioned && !x.dprk)) continue;
        const e = byCp.get(other) ?? {
          in: 0,
          out: 0,
          totals: new Map(),
          decimals: new Map(),
          txs: [] as string[],
          first: t.tsMs,
        };
        if (t.from === addr) e.out++;
        else e.in++;
        const sym = t.asset;
        e.totals.set(sym, (e.totals.get(sym) ?? 0n) + t.amount);
        e.decimals.set(sym, t.decimals);
        if (e.txs.length < 10 && !e.txs.includes(t.txHash)) e.txs.push(t.txHash);
        e.first = Math.min(e.first, t.tsMs);
        byCp.set(other, e);
      }
      const firstSeen = new Map<string, number>();
      r.counterparties = [...byCp.entries()].map(([other, e]): ScreenCounterparty => {
        const tag =
          index.get(r.chain!, other).find((x) => x.sanctioned) ?? index.get(r.chain!, other).find((x) => x.dprk)!;
        const display = displayAddress(r.chain!, other);
        firstSeen.set(display, e.first);
        return {
          address: display,
          direction: e.in > 0 && e.out > 0 ? 'both' : e.in > 0 ? 'in' : 'out',
          transfers: e.in + e.out,
          totals: Object.fromEntries(
            [...e.totals].map(([a, v]) => [
              a.startsWith('0x') ? displayAddress(r.chain!, a) : a,
              formatUnits(v, e.decimals.get(a) ?? 0),
            ]),
          ),
          entityId: tag.entityId,
          label: tag.label,
          txHashes: e.txs,
        };
      });
      findings.push(...sanctionedCounterpartyFindings(r, firstSeen));
    }
  }
  if (opts.save && findings.length > 0) await store.putFindings(findings);
  return { results, findings };
}

// ---- exposure ------------------------------------------------------------------------------------------------------

export async function exposureFromStore(
  store: Store,
  input: string,
  opts: {
    chain?: Chain;
    asset?: string;
    method?: TraceMethod;
    hops?: number;
    cluster?: boolean;
    save?: boolean;
    /** Build the `crypto.exposure` finding without storing it (verify re-runs findings this way). */
    finding?: boolean;
    /**
     * `frontier` (default) reads only the transfers the targets' figures depend on (src/crypto/exposure-frontier.ts;
     * UTXO chains through the transfers derived from their transactions), `whole` every transfer of the chain and
     * asset; both give the same result.
     */
    read?: 'frontier' | 'whole';
    /** Told what the frontier read cost. */
    onStats?: (stats: ExposureFrontierStats) => void;
    /** Addresses per statement of the frontier read (default per engine). */
    batchSize?: number;
  } = {},
): Promise<ExposureResult & { cluster?: string[]; finding?: Finding }> {
  const c = detectAddress(input, opts.chain ?? null);
  if (!c.ok) throw new InputError(`invalid address "${input}": ${c.reason}`);
  const whole = opts.read === 'whole' ? await loadGraph(store, { chain: c.chain, asset: opts.asset }) : null;
  const asset = whole?.asset ?? resolveAsset(c.chain, opts.asset);
  let targets: string[] = [c.address];
  if (opts.cluster) {
    const members = await clusterMembers(store.db, c.chain, c.address);
    if (members.length > 0) targets = members;
  }
  if (whole) requireTargets(whole.graph, targets);
  const index = await attributionIndex(store);
  const params = { method: opts.method, maxHops: opts.hops };
  let e: ExposureResult;
  let read: Transfer[] = [];
  if (whole) {
    e = computeExposure(whole.graph, index, { chain: c.chain, asset, decimals: whole.decimals }, targets, params);
  } else {
    const query = { chain: c.chain, asset };
    const batch = opts.batchSize ?? FRONTIER_BATCH[store.db.dialect];
    const out = await frontierExposure({
      db: store.db,
      query,
      targets,
      params,
      index,
      defaultDecimals: NATIVE_ASSET[c.chain].decimals,
      batchSize: batch,
      // UTXO chains: the transfers loadGraph derives from the UTXO tables, plus the chain's crypto_transfers rows.
      reader: isUtxoChain(c.chain) ? new UtxoTransferReader(store.db, query, batch) : undefined,
    });
    opts.onStats?.(out.stats);
    e = out.result;
    read = out.transfers;
  }
  const display = { ...e, targets: e.targets.map((t) => displayAddress(c.chain, t)) };
  const out: ExposureResult & { cluster?: string[]; finding?: Finding } = opts.cluster
    ? { ...display, cluster: targets }
    : display;
  if (opts.save || opts.finding) {
    // The targets' first incoming transfer: among those in memory, and (frontier) the store's earliest.
    const stored = whole ? undefined : await firstReceivedMs(store.db, { chain: c.chain, asset }, targets);
    const firstIn = (whole?.transfers ?? read)
      .filter((t) => targets.includes(t.to))
      .reduce((m, t) => Math.min(m, t.tsMs), stored ?? Number.POSITIVE_INFINITY);
    const f = exposureFinding(display, c.chain, Number.isFinite(firstIn) ? firstIn : 0);
    if (f) {
      if (opts.save) await store.putFindings([f]);
      out.finding = f;
    }
  }
  return out;
}

// ---- clustering ----------------------------------------------------------------------------------------------------

export async function clusterFromStore(
  store: Store,
  chain: Chain,
): Promise<{ clusters: number; addresses: number; coinjoinsExcluded: number; largest: number }> {
  const txs = await loadUtxoTxs(store.db, chain);
  const r = clusterAddresses(txs);
  await saveClusters(store.db, chain, r.clusterOf);
  return {
    clusters: r.clusterCount,
    addresses: r.clusterOf.size,
    coinjoinsExcluded: r.coinjoinTxs.length,
    largest: r.largest,
  };
}
