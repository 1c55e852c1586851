import { entitiesFromStatements } from '../model/entity.js';
import type { Store } from '../store/store.js';
import { normaliseCryptoAddress, normaliseImo, normaliseMmsi } from './identifiers.js';
import { type MatchOptions, type MatchResult, ScreeningIndex } from './index.js';
import type { EntityLike } from './prepare.js';
import { DEFAULT_THRESHOLD } from './score.js';

/**
 * The screening service: one in-memory index per store, built on first use from the current list versions and
 * rebuilt (in the background, swapped in when ready) when the set of current list versions changes. The HTTP
 * API, the CLI and other modules (maritime detection, crypto) share it through `screeningService(store)`.
 *
 * Only entities that came from a list version are indexed (statements with a versionId: UN, OFAC, FtM imports);
 * vessels seen in AIS or wallets seen on chain (unversioned statements) are what gets screened, not the list.
 * Ship-registry extracts (`ownership import FILE.csv`, format `registry-csv`) are versioned too but are not lists:
 * a hull or company known only from one is not indexed, so it never matches as a listed entry.
 */

export interface ScreeningSource {
  /** Changes whenever the indexed data changes (e.g. the ids of the current list versions). */
  signature(): Promise<string>;
  load(): Promise<EntityLike[]>;
}

export function storeSource(store: Store): ScreeningSource {
  return {
    async signature() {
      const versions = await store.currentVersions();
      return versions
        .map((v) => v.id)
        .sort()
        .join(',');
    },
    async load() {
      const registry = new Set(
        (await store.currentVersions()).filter((v) => v.format === 'registry-csv').map((v) => v.id),
      );
      const statements = await store.currentStatements();
      const out: EntityLike[] = [];
      for (const entity of entitiesFromStatements(statements)) {
        if (!entity.statements.some((s) => s.versionId && !registry.has(s.versionId))) continue;
        out.push({ id: entity.id, schema: entity.schema, properties: entity.properties, datasets: entity.datasets });
      }
      return out;
    },
  };
}

/** A fixed set of entities (tests, evaluation, `screen pairs`). */
export function staticSource(entities: EntityLike[], signature = 'static'): ScreeningSource {
  return { signature: async () => signature, load: async () => entities };
}

export interface ServiceOptions {
  /** How often (ms) a request may trigger a check of the list versions (default 2000). */
  checkIntervalMs?: number;
}

export interface IndexInfo {
  entities: number;
  signature: string;
  builtAt: string;
  buildMs: number;
}

export class ScreeningService {
  private current?: { index: ScreeningIndex; info: IndexInfo };
  private building?: Promise<{ index: ScreeningIndex; info: IndexInfo }>;
  private lastCheck = 0;
  private readonly checkIntervalMs: number;

  constructor(
    private readonly source: ScreeningSource,
    opts: ServiceOptions = {},
  ) {
    this.checkIntervalMs = opts.checkIntervalMs ?? 2000;
  }

  /** The current index, building it on first use; later calls re-check the source at most every interval. */
  async index(): Promise<ScreeningIndex> {
    if (!this.current) {
      this.current = await this.rebuild();
      this.lastCheck = Date.now();
      return this.current.index;
    }
    const now = Date.now();
    if (now - this.lastCheck >= this.checkIntervalMs && !this.building) {
      this.lastCheck = now;
      void this.refreshIfChanged().catch(() => undefined);
    }
    return this.current.index;
  }

  /** Check the source now and rebuild (awaited) if it changed; returns true when a rebuild happened. */
  async refreshIfChanged(): Promise<boolean> {
    const sig = await this.source.signature();
    if (this.current && sig === this.current.info.signature) return false;
    this.current = await this.rebuild();
    return true;
  }

  info(): IndexInfo | undefined {
    return this.current?.info;
  }

  private rebuild(): Promise<{ index: ScreeningIndex; info: IndexInfo }> {
    this.building ??= (async () => {
      try {
        const started = Date.now();
        const signature = await this.source.signature();
        const index = ScreeningIndex.build(await this.source.load());
        const info = {
          entities: index.size,
          signature,
          builtAt: new Date().toISOString(),
          buildMs: Date.now() - started,
        };
        return { index, info };
      } finally {
        this.building = undefined;
      }
    })();
    return this.building;
  }

  async match(query: EntityLike, opts: MatchOptions = {}): Promise<MatchResult[]> {
    return (await this.index()).match(query, opts);
  }

  /** Free-text search over names (any schema unless given). */
  async search(text: string, opts: MatchOptions & { schema?: string } = {}): Promise<MatchResult[]> {
    const index = await this.index();
    return index.match({ id: 'search', schema: opts.schema ?? 'Thing', properties: { name: [text] } }, opts);
  }

  /**
   * Is this vessel (or one close to it) on a list? Matches by IMO (check-digit validated), MMSI, call sign and
   * name; returns the list vessels scoring at or above the threshold (default 0.70), best first.
   */
  async screenVessel(
    vessel: { imo?: string | number; mmsi?: string | number; name?: string; callSign?: string; flag?: string },
    opts: MatchOptions = {},
  ): Promise<MatchResult[]> {
    const properties: Record<string, string[]> = {};
    const imo = vessel.imo !== undefined ? normaliseImo(String(vessel.imo)) : undefined;
    const mmsi = vessel.mmsi !== undefined ? normaliseMmsi(String(vessel.mmsi)) : undefined;
    if (imo) properties.imoNumber = [imo];
    if (mmsi) properties.mmsi = [mmsi];
    if (vessel.name?.trim()) properties.name = [vessel.name.trim()];
    if (vessel.callSign?.trim()) properties.callSign = [vessel.callSign.trim()];
    if (vessel.flag?.trim()) properties.flag = [vessel.flag.trim()];
    if (Object.keys(properties).length === 0) return [];
    const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
    const results = await this.match({ id: 'vessel', schema: 'Vessel', properties }, { limit: 5, ...opts });
    return results.filter((r) => r.score >= threshold);
  }

  /** Is this crypto address on a list? Exact match after per-chain normalisation (EVM case-insensitive). */
  async screenAddress(address: string, opts: { currency?: string; dataset?: string } = {}): Promise<MatchResult[]> {
    const normalised = normaliseCryptoAddress(address, opts.currency);
    if (!normalised) return [];
    const properties: Record<string, string[]> = { publicKey: [address.trim()] };
    if (opts.currency) properties.currency = [opts.currency];
    const results = await this.match(
      { id: 'address', schema: 'CryptoWallet', properties },
      { limit: 5, dataset: opts.dataset },
    );
    return results.filter((r) => r.features.crypto_address_match === 1);
  }
}

const services = new WeakMap<Store, ScreeningService>();

/** The shared screening service of a store (one index per store per process). */
export function screeningService(store: Store, opts: ServiceOptions = {}): ScreeningService {
  let service = services.get(store);
  if (!service) {
    service = new ScreeningService(storeSource(store), opts);
    services.set(store, service);
  }
  return service;
}

/** Convenience for other modules: screen a vessel against the lists in `store`. */
export async function screenVessel(
  store: Store,
  vessel: { imo?: string | number; mmsi?: string | number; name?: string; callSign?: string; flag?: string },
  opts: MatchOptions = {},
): Promise<MatchResult[]> {
  return screeningService(store).screenVessel(vessel, opts);
}

/** Convenience for other modules: screen a crypto address against the lists in `store`. */
export async function screenAddress(
  store: Store,
  address: string,
  opts: { currency?: string; dataset?: string } = {},
): Promise<MatchResult[]> {
  return screeningService(store).screenAddress(address, opts);
}
