import { type EvidenceRef, type Finding, findingId } from '../findings/finding.js';
import type { ScreeningIndex } from '../screening/index.js';
import type { Prepared } from '../screening/prepare.js';
import { DEFAULT_THRESHOLD, scoreCandidate } from '../screening/score.js';
import { screeningService } from '../screening/service.js';
import type { Row, SqlValue } from '../store/db.js';
import type { Store } from '../store/store.js';
import { agrees, type Commodity, commoditiesIn } from './commodities.js';
import { type Direction, type HsRule, HsRules, hsDescription, inForceOn, verdictOf } from './hs.js';
import { type PartyNameCheck, PartyVocabulary, partyNameMatch, partyQuery } from './parties.js';
import { dprkPortIn } from './ports.js';
import { SHIPMENT_IMPORT_KIND, type Shipment, shipmentFromRow, shipmentId } from './shipments.js';
import { type DprkCall, VoyageIndex } from './voyages.js';

/**
 * Screening of shipment records. Every record is checked four ways, each giving at most one kind of finding:
 * - parties (shipper, consignee, notify party: name, address, country) against the sanctions lists through the
 *   screening index, built once and shared with the rest of the process (`trade.listed_party`);
 * - the HS code against the DPRK prohibitions, in the direction the record's flow takes relative to the DPRK
 *   (`trade.prohibited_goods`), and the description's commodity words when the code is missing or contradicts them;
 * - the declared origin against the record's own port of loading and against the vessel's AIS port calls on the
 *   voyage (`trade.origin_mismatch`).
 * A party or a description repeats across records: their results are cached, so a file of a million records costs
 * as many index look-ups as it has distinct parties.
 */

export const TRADE_KINDS = ['trade.prohibited_goods', 'trade.listed_party', 'trade.origin_mismatch'] as const;

export interface TradeScreenParams {
  /** Party match threshold (the screening default, 0.7). */
  threshold: number;
  /** Days before the declared departure a DPRK call still counts for the voyage (the cargo may be loaded there). */
  voyageLeadDays: number;
  /** Voyage length assumed when the record gives no arrival date. */
  voyageDays: number;
}

export const TRADE_SCREEN_DEFAULTS: TradeScreenParams = {
  threshold: DEFAULT_THRESHOLD,
  voyageLeadDays: 30,
  voyageDays: 45,
};

const DAY_MS = 86_400_000;

interface PartyHit {
  id: string;
  caption: string;
  score: number;
  datasets: string[];
  schema: string;
  /** The party's distinctive words the entry's name matches. */
  words: string[];
  countryMatch?: boolean;
  countryMismatch?: boolean;
}

/** What a shipment's evidence needs from its import: the file's sha256 and the import time. */
export interface ImportInfo {
  sha256: string;
  importedAt: string;
}

export class TradeScreener {
  readonly params: TradeScreenParams;
  private readonly partyCache = new Map<string, PartyHit[]>();
  private readonly commodityCache = new Map<string, Commodity[]>();
  private vocabulary: PartyVocabulary | undefined;
  private readonly nameCache = new Map<string, Array<{ entry: Prepared; check: PartyNameCheck }>>();
  /**
   * partyLookups: distinct parties (name and country); partiesRuledOut: distinct names the list vocabulary
   * excluded before any ranking or scoring.
   */
  stats = { records: 0, partyLookups: 0, partiesRuledOut: 0, findings: 0 };

  constructor(
    private readonly index: ScreeningIndex,
    private readonly rules: HsRules,
    readonly voyages: VoyageIndex,
    private readonly imports: Map<string, ImportInfo>,
    params: Partial<TradeScreenParams> = {},
  ) {
    this.params = { ...TRADE_SCREEN_DEFAULTS, ...params };
  }

  /** The findings one record gives (none for a clean record). */
  screen(s: Shipment): Finding[] {
    this.stats.records++;
    const out: Finding[] = [];
    const ctx = this.context(s);
    for (const role of ['shipper', 'consignee', 'notify party'] as const) {
      const f = this.party(s, ctx, role);
      if (f) out.push(...f);
    }
    const goods = this.goods(s, ctx);
    if (goods) out.push(goods);
    const origin = this.origin(s, ctx);
    if (origin) out.push(origin);
    this.stats.findings += out.length;
    return out;
  }

  /**
   * What the checks share about a record. Only the flow's direction is computed for every record; the id, time,
   * evidence and wording are built when a finding needs them (most records give none).
   */
  private context(s: Shipment) {
    const imports = this.imports;
    const loadPort = dprkPortIn(s.portLoading);
    const dischargePort = dprkPortIn(s.portDischarge);
    const directions: Direction[] = [];
    const why: string[] = [];
    if (s.destinationCode === 'KP' || s.consigneeCountry === 'KP' || dischargePort) {
      directions.push('import');
      why.push(
        s.destinationCode === 'KP'
          ? 'destined for the DPRK'
          : dischargePort
            ? `discharged at ${s.portDischarge}`
            : 'consigned to a party in the DPRK',
      );
    }
    if (s.originCode === 'KP' || s.shipperCountry === 'KP' || loadPort) {
      directions.push('export');
      why.push(
        s.originCode === 'KP'
          ? 'of DPRK origin'
          : loadPort
            ? `loaded at ${s.portLoading}`
            : 'shipped by a party in the DPRK',
      );
    }
    return {
      directions,
      why,
      loadPort,
      get id(): string {
        return shipmentId(s);
      },
      get start(): string {
        const date = s.departureDate ?? s.docDate ?? s.arrivalDate;
        return date ? `${date}T00:00:00.000Z` : (imports.get(s.importId)?.importedAt ?? '1970-01-01T00:00:00.000Z');
      },
      get where(): string {
        return `${s.file}:${s.line}${s.reference ? ` (${s.reference})` : ''}`;
      },
      get evidence(): EvidenceRef[] {
        const info = imports.get(s.importId);
        const out: EvidenceRef[] = [
          {
            source: s.importId,
            record: `${s.file}:${s.line}`,
            contentHash: s.rowSha256,
            note: `shipment record${s.reference ? ` ${s.reference}` : ''} (sha256 of the row as one CSV line)`,
          },
        ];
        if (info) out.push({ source: s.importId, record: s.file, contentHash: info.sha256, note: 'the imported file' });
        return out;
      },
    };
  }

  private base(kind: string, subjects: string[], ctx: ReturnType<TradeScreener['context']>) {
    return { id: findingId(kind, subjects, ctx.start), kind, subjects, start: ctx.start };
  }

  private party(
    s: Shipment,
    ctx: ReturnType<TradeScreener['context']>,
    role: 'shipper' | 'consignee' | 'notify party',
  ): Finding[] | undefined {
    const [name, address, country] =
      role === 'shipper'
        ? [s.shipper, s.shipperAddress, s.shipperCountry]
        : role === 'consignee'
          ? [s.consignee, s.consigneeAddress, s.consigneeCountry]
          : [s.notifyParty, s.notifyAddress, s.notifyCountry];
    if (!name) return undefined;
    const hits = this.partyHits(name, country);
    if (hits.length === 0) return undefined;
    // One finding per party: the best match names it, every entry above the threshold is a subject (the same
    // company is often on several lists).
    const best = hits[0]!;
    const subjects = [ctx.id, ...hits.map((h) => h.id)];
    const others = hits.slice(1).map((h) => `${h.id} (${h.datasets.join(', ')}, ${h.score.toFixed(2)})`);
    return [
      {
        ...this.base('trade.listed_party', subjects, ctx),
        score: Math.min(1, Math.round(best.score * 1000) / 1000),
        redFlags: ['SANCTIONS_LIST_MATCH'],
        explanation:
          `The ${role} of shipment ${ctx.where}, "${name}"${address ? ` (${address})` : ''}, matches the listed ` +
          `${best.schema} "${best.caption}" (${best.id}, ${best.datasets.join(', ')}) with score ${best.score.toFixed(2)}` +
          `${best.words.length > 0 ? ` on its own words ${best.words.map((w) => `"${w}"`).join(', ')}` : ''}` +
          `${best.countryMatch ? `, in the same country (${country})` : best.countryMismatch ? `, though the list gives another country than ${country}` : ''}` +
          `${others.length > 0 ? `; also ${others.join(', ')}` : ''}.`,
        evidence: [
          ...ctx.evidence,
          ...hits.map((h) => ({ source: h.datasets.join(',') || 'lists', record: h.id, note: `listed ${h.caption}` })),
        ],
        params: { threshold: this.params.threshold, role },
        details: {
          role,
          party: { name, address, country },
          matches: hits.map((h) => ({
            id: h.id,
            caption: h.caption,
            schema: h.schema,
            score: h.score,
            words: h.words,
            datasets: h.datasets,
          })),
          shipment: summary(s),
        },
      },
    ];
  }

  /**
   * List entries matching a party, cached by its name and country: the name as a `LegalEntity` query with the
   * party's country as a qualifier (logic-v2: a country that agrees with none of the entry's lowers the score, one
   * in common raises it, and neither counts without a name match), then only the matches that rest on the party's
   * distinctive words (`checkPartyName`): a shared "Trading Co., Ltd." or a common word beside the party's own
   * coined name is not a match. The address is reported in the finding, not scored.
   */
  partyHits(name: string, country: string | null = null): PartyHit[] {
    const key = country ? `${name}\u0000${country}` : name;
    let hits = this.partyCache.get(key);
    if (hits) return hits;
    this.stats.partyLookups++;
    const candidates = this.partyCandidates(name);
    hits = [];
    if (candidates.length > 0) {
      // The country changes the score (a qualifier), not the candidates: score them with it.
      const query = country
        ? this.index.prepareQuery({
            id: 'party',
            schema: 'LegalEntity',
            properties: { name: [name], country: [country] },
          })
        : this.index.prepareQuery({ id: 'party', schema: 'LegalEntity', properties: { name: [name] } });
      for (const { entry: e, check } of candidates) {
        const scored = scoreCandidate(query, e, this.params.threshold);
        if (!scored.match) continue;
        hits.push({
          id: e.id,
          caption: e.caption,
          score: scored.score,
          datasets: e.datasets,
          schema: e.schema,
          words: check.matched,
          ...(scored.features.country_mismatch ? { countryMismatch: true } : {}),
          ...(scored.features.country_match ? { countryMatch: true } : {}),
        });
      }
      hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
      hits = hits.slice(0, 3);
    }
    if (this.partyCache.size > 500_000) this.partyCache.clear();
    this.partyCache.set(key, hits);
    return hits;
  }

  /**
   * The list entries a party name may match, worked out once per name (a name recurs with and without its
   * country): ruled out at once when the list vocabulary cannot match its distinctive words, or when no single
   * entry carries counterparts of enough of them (`PartyVocabulary.entriesFor`); else the index's candidates that
   * pass the name check (so scoring is spent on those alone). The vocabulary only skips entries the check would
   * refuse, so the result is the same as checking every candidate.
   */
  private partyCandidates(name: string): Array<{ entry: Prepared; check: PartyNameCheck }> {
    let out = this.nameCache.get(name);
    if (out) return out;
    out = [];
    const query = this.index.prepareQuery({ id: 'party', schema: 'LegalEntity', properties: { name: [name] } });
    this.vocabulary ??= new PartyVocabulary(this.index.entities);
    const party = partyQuery(query);
    const possible = this.vocabulary.mayMatch(party) ? this.vocabulary.entriesFor(party) : new Set<number>();
    if (possible && possible.size === 0) this.stats.partiesRuledOut++;
    else {
      const compatible = this.index.compatibleSchemata('LegalEntity');
      const want = query.names.some((n) => n.abjad) ? 40 : 15;
      for (const idx of this.index.candidates(query, want * 4, (e) => compatible.has(e.schema))) {
        if (possible && !possible.has(idx)) continue;
        const entry = this.index.entities[idx]!;
        const check = partyNameMatch(party, entry);
        if (!check) continue;
        out.push({ entry, check });
        if (out.length === want) break;
      }
    }
    if (this.nameCache.size > 500_000) this.nameCache.clear();
    this.nameCache.set(name, out);
    return out;
  }

  private commodities(description: string): Commodity[] {
    let k = this.commodityCache.get(description);
    if (!k) {
      k = commoditiesIn(description);
      if (this.commodityCache.size > 200_000) this.commodityCache.clear();
      this.commodityCache.set(description, k);
    }
    return k;
  }

  private goods(s: Shipment, ctx: ReturnType<TradeScreener['context']>): Finding | undefined {
    if (ctx.directions.length === 0) return undefined;
    const words = s.description ? this.commodities(s.description) : [];
    // The declared code, then (when it is missing or no commodity word agrees with it) the codes the words imply.
    const candidates: Array<{ code: string; from: 'declared' | 'description'; label?: string }> = [];
    if (s.hsCode) candidates.push({ code: s.hsCode, from: 'declared' });
    const contradicted = s.hsCode !== null && words.length > 0 && !words.some((k) => agrees(s.hsCode!, k));
    if (!s.hsCode || contradicted)
      for (const k of words) for (const code of k.codes) candidates.push({ code, from: 'description', label: k.label });
    // A rule applies to shipments from the day its resolution was adopted: the shipment's date is its departure
    // (else its document date, else its arrival).
    const date = shipmentDate(s);
    let hit:
      | { code: string; from: 'declared' | 'description'; label?: string; direction: Direction; rules: HsRule[] }
      | undefined;
    for (const c of candidates) {
      for (const direction of ctx.directions) {
        const rules = inForceOn(this.rules.match(c.code, direction), date);
        if (rules.length === 0) continue;
        if (!hit || (verdictOf(rules) === 'ban' && verdictOf(hit.rules) !== 'ban')) hit = { ...c, direction, rules };
      }
      if (hit && hit.from === 'declared' && verdictOf(hit.rules) === 'ban') break;
    }
    if (!hit) return undefined;
    const verdict = verdictOf(hit.rules)!;
    const hsText = hsDescription(hit.code);
    const sources = [...new Set(hit.rules.map((r) => r.source))];
    const dated = [
      ...new Set(hit.rules.map((r) => (r.inForce ? `${r.source} (in force from ${r.inForce})` : r.source))),
    ];
    // Inside a wind-down (deliveries under contracts concluded before adoption may be completed) when every ban
    // that applies still allows one on this date.
    const bans = hit.rules.filter((r) => r.rule === 'ban');
    const windDown =
      verdict === 'ban' &&
      date &&
      bans.every((r) => r.inForce && r.windDownDays && date < addDays(r.inForce, r.windDownDays))
        ? bans[0]!
        : undefined;
    const flow = hit.direction === 'import' ? 'supply to the DPRK' : 'procurement from the DPRK';
    const what =
      hit.from === 'declared'
        ? `declares HS ${hit.code}${hsText ? ` (${hsText})` : ''}`
        : s.hsCode
          ? `declares HS ${s.hsCode}${hsDescription(s.hsCode) ? ` (${hsDescription(s.hsCode)})` : ''} but describes "${s.description}", which is ${hit.label} (HS ${hit.code})`
          : `has no HS code and describes "${s.description}", which is ${hit.label} (HS ${hit.code})`;
    const rule =
      verdict === 'ban'
        ? `banned for ${flow} by ${dated.join('; ')}`
        : `capped for ${flow} (${hit.rules.map((r) => `${r.cap} by ${r.source}`).join('; ')}), so every delivery counts against the cap and must be reported to the 1718 Committee`;
    const subjects = [ctx.id];
    return {
      ...this.base('trade.prohibited_goods', subjects, ctx),
      score: windDown ? 0.7 : verdict === 'ban' ? 0.9 : 0.6,
      redFlags:
        hit.from === 'description' && s.hsCode ? ['PROHIBITED_GOODS', 'FALSIFIED_DOCUMENTS'] : ['PROHIBITED_GOODS'],
      explanation:
        `Shipment ${ctx.where}${date ? ` of ${date}` : ''} is ${ctx.why.join(' and ')} and ${what}: ${rule}.` +
        (windDown
          ? ` The shipment falls within the ${windDown.windDownDays}-day wind-down of ${windDown.source.split(' ')[0]} for contracts concluded before its adoption (until ${addDays(windDown.inForce!, windDown.windDownDays! - 1)}): check the contract date.`
          : '') +
        (date ? '' : ' The record gives no date, so every rule is applied whatever its date.'),
      evidence: ctx.evidence,
      params: {
        ...(date ? { shipmentDate: date } : {}),
        ...(windDown ? { windDownUntil: addDays(windDown.inForce!, windDown.windDownDays! - 1) } : {}),
        hsCode: hit.code,
        codeFrom: hit.from,
        direction: hit.direction,
        verdict,
        resolutions: sources.join('; '),
        hsBasis: [...new Set(hit.rules.map((r) => r.basis))].join('; '),
      },
      details: {
        rules: hit.rules.map((r) => ({ ...r })),
        ...(hit.label ? { commodity: hit.label } : {}),
        declaredHsCode: s.hsCode,
        shipment: summary(s),
      },
    };
  }

  private origin(s: Shipment, ctx: ReturnType<TradeScreener['context']>): Finding | undefined {
    if (s.originCode === 'KP') return undefined;
    const reasons: string[] = [];
    const subjects = [ctx.id];
    let calls: DprkCall[] = [];
    if (ctx.loadPort && s.originCode) reasons.push(`its port of loading ${s.portLoading} is in the DPRK`);
    const vessel = { imo: s.vesselImo, name: s.vesselName };
    const departure = s.departureDate ?? s.docDate;
    let fromMs = 0;
    let toMs = 0;
    if ((vessel.imo || vessel.name) && (departure || s.arrivalDate) && this.voyages.size > 0) {
      const depMs = Date.parse(`${departure ?? s.arrivalDate}T00:00:00Z`);
      fromMs = depMs - this.params.voyageLeadDays * DAY_MS;
      toMs = s.arrivalDate ? Date.parse(`${s.arrivalDate}T23:59:59.999Z`) : depMs + this.params.voyageDays * DAY_MS;
      calls = this.voyages.callsDuring(vessel, fromMs, toMs);
      for (const c of calls) {
        const seenAs = [c.name, c.imo ? `IMO ${c.imo}` : null].filter(Boolean).join(', ');
        reasons.push(
          `AIS shows the vessel (MMSI ${c.mmsi}${seenAs ? `, broadcasting ${seenAs}` : ''}) at ${c.port} from ` +
            `${new Date(c.startMs).toISOString().slice(0, 16)}Z to ${new Date(c.endMs).toISOString().slice(0, 16)}Z`,
        );
        const v = `ais-${c.mmsi}`;
        if (!subjects.includes(v)) subjects.push(v);
      }
    }
    if (reasons.length === 0) return undefined;
    const declared = s.origin ? `"${s.origin}"` : 'a non-DPRK origin';
    // Would the goods be banned if the true origin is the DPRK?
    const code = s.hsCode ?? null;
    const ifDprk = code ? inForceOn(this.rules.match(code, 'export'), shipmentDate(s)) : [];
    const ifDprkBan = verdictOf(ifDprk) === 'ban';
    const vesselText =
      s.vesselName || s.vesselImo
        ? ` on ${[s.vesselName, s.vesselImo ? `IMO ${s.vesselImo}` : null].filter(Boolean).join(', ')}`
        : '';
    const evidence: EvidenceRef[] = [
      ...ctx.evidence,
      ...calls.map((c) => ({
        source: 'findings',
        record: c.findingId,
        note: `ais.port_visit at ${c.port} (MMSI ${c.mmsi})`,
      })),
    ];
    return {
      ...this.base('trade.origin_mismatch', subjects, ctx),
      score: ifDprkBan ? 0.95 : 0.8,
      redFlags: calls.length > 0 ? ['FALSIFIED_DOCUMENTS', 'DPRK_PORT_CALL'] : ['FALSIFIED_DOCUMENTS'],
      explanation:
        `Shipment ${ctx.where} declares origin ${declared}${vesselText}${s.description ? ` for "${s.description}"` : ''}, ` +
        `but ${reasons.join('; and ')}` +
        (ifDprkBan
          ? `; from the DPRK, HS ${code} is banned (${[...new Set(ifDprk.map((r) => r.source))].join('; ')}).`
          : '.'),
      evidence,
      params: {
        voyageLeadDays: this.params.voyageLeadDays,
        voyageDays: this.params.voyageDays,
        ...(calls.length > 0
          ? { voyageFrom: new Date(fromMs).toISOString(), voyageTo: new Date(toMs).toISOString() }
          : {}),
        bannedIfDprkOrigin: ifDprkBan,
      },
      details: {
        declaredOrigin: s.origin,
        portLoading: s.portLoading,
        dprkPortOfLoading: ctx.loadPort,
        dprkCalls: calls.map((c) => ({
          ...c,
          start: new Date(c.startMs).toISOString(),
          end: new Date(c.endMs).toISOString(),
        })),
        shipment: summary(s),
      },
    };
  }
}

/** The date a shipment is judged on: departure, else document date, else arrival (`YYYY-MM-DD`), or null. */
export function shipmentDate(s: Pick<Shipment, 'departureDate' | 'docDate' | 'arrivalDate'>): string | null {
  return s.departureDate ?? s.docDate ?? s.arrivalDate ?? null;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function summary(s: Shipment): Record<string, unknown> {
  return {
    reference: s.reference,
    shipper: s.shipper,
    consignee: s.consignee,
    hsCode: s.hsCode,
    description: s.description,
    origin: s.origin,
    destination: s.destination,
    portLoading: s.portLoading,
    portDischarge: s.portDischarge,
    vesselName: s.vesselName,
    vesselImo: s.vesselImo,
    departureDate: s.departureDate,
    arrivalDate: s.arrivalDate,
    weightKg: s.weightKg,
    value: s.value,
    currency: s.currency,
  };
}

export interface ScreenStoreOptions extends Partial<TradeScreenParams> {
  /** Only this import (default: every imported shipment file). */
  importId?: string;
  /** Write the findings to the store (default true). */
  save?: boolean;
  /**
   * Called as the run goes: the list index is built (`index`, no count), each distinct party screened (`parties`,
   * of the distinct parties in scope), the records that can give a finding screened (`records`, of those
   * selected), the findings stored (`saving`, of the findings). Counts only go up within a step.
   */
  onProgress?: (p: ScreenProgress) => void;
}

export interface ScreenProgress {
  step: 'index' | 'parties' | 'records' | 'saving';
  done: number;
  total?: number;
}

/** Progress is reported every this many parties (or records): often enough for a line, cheap enough to ignore. */
const PROGRESS_EVERY = 500;

export interface ScreenStoreResult {
  records: number;
  findings: Finding[];
  byKind: Record<string, number>;
  partyLookups: number;
  /** Distinct party names the list vocabulary ruled out before any ranking or scoring. */
  partiesRuledOut: number;
  params: TradeScreenParams;
}

/** The shared parts of a screening run over a store: the list index (built once), HS rules, AIS DPRK calls. */
export async function screenerFor(store: Store, params: Partial<TradeScreenParams> = {}): Promise<TradeScreener> {
  const index = await screeningService(store).index();
  const voyages = await VoyageIndex.load(store);
  const imports = new Map<string, ImportInfo>();
  for (const r of await store.listImports(SHIPMENT_IMPORT_KIND))
    imports.set(r.id, { sha256: r.sha256, importedAt: r.importedAt });
  return new TradeScreener(index, HsRules.load(), voyages, imports, params);
}

/**
 * `trade screen`: every stored shipment (or one import's), findings saved (replacing earlier runs by id).
 *
 * Set-based, so a file of a million records costs its distinct values, not its rows:
 * 1. each distinct party (name and country) of the scope is screened once against the lists;
 * 2. each distinct port is read once for DPRK port names, each distinct vessel name once against the vessels with
 *    DPRK calls;
 * 3. only the records that can give a finding are read back from the store: those touching the DPRK (by country
 *    or port), naming a party that matched, or carried by a vessel with DPRK calls. Every other record is clean by
 *    construction: the goods check needs a DPRK direction, the origin check a DPRK port of loading or a DPRK call,
 *    the party check a matching party.
 * The selected records then go through `TradeScreener.screen`, in import and line order, exactly as one record
 * at a time would.
 */
export async function screenStore(store: Store, opts: ScreenStoreOptions = {}): Promise<ScreenStoreResult> {
  const report = opts.onProgress ?? (() => {});
  report({ step: 'index', done: 0 });
  const screener = await screenerFor(store, opts);
  const db = store.db;
  const scope = opts.importId ? 'import_id = $1' : 'TRUE';
  const scopeParams: SqlValue[] = opts.importId ? [opts.importId] : [];
  const from = `FROM trade_shipments WHERE ${scope}`;
  const records = Number((await db.query(`SELECT count(*) AS n ${from}`, scopeParams))[0]?.n ?? 0);

  // 1. Parties: each distinct name and country once.
  const parties = await db.query(
    `SELECT DISTINCT name, country FROM (
       SELECT shipper AS name, shipper_country AS country ${from}
       UNION ALL SELECT consignee, consignee_country ${from}
       UNION ALL SELECT notify_party, notify_country ${from}) p WHERE name IS NOT NULL`,
    scopeParams,
  );
  const matched = new Set<string>();
  report({ step: 'parties', done: 0, total: parties.length });
  for (let k = 0; k < parties.length; k++) {
    const p = parties[k]!;
    const name = String(p.name);
    if (screener.partyHits(name, p.country === null ? null : String(p.country)).length > 0) matched.add(name);
    if ((k + 1) % PROGRESS_EVERY === 0) report({ step: 'parties', done: k + 1, total: parties.length });
  }
  report({ step: 'parties', done: parties.length, total: parties.length });

  // 2. Ports and vessels: each distinct value once.
  const distinct = async (column: string, where = ''): Promise<string[]> =>
    (await db.query(`SELECT DISTINCT ${column} AS v ${from} AND ${column} IS NOT NULL${where}`, scopeParams)).map((r) =>
      String(r.v),
    );
  const loading = (await distinct('port_loading')).filter((p) => dprkPortIn(p));
  const discharge = (await distinct('port_discharge')).filter((p) => dprkPortIn(p));
  const voyages = screener.voyages;
  const vesselNames =
    voyages.size > 0
      ? (await distinct('vessel_name', ' AND vessel_imo IS NULL')).filter((n) => voyages.knowsName(n))
      : [];
  const imos = voyages.size > 0 ? voyages.imos() : [];

  // 3. The records that can give a finding.
  const selected = new Map<string, Row>();
  const select = async (condition: string, values: SqlValue[] = []): Promise<void> => {
    const chunks: SqlValue[][] = values.length === 0 ? [[]] : [];
    for (let i = 0; i < values.length; i += IN_CHUNK) chunks.push(values.slice(i, i + IN_CHUNK));
    for (const chunk of chunks) {
      const list = chunk.map((_, k) => `$${scopeParams.length + k + 1}`).join(',');
      const rows = await db.query(`SELECT * ${from} AND (${condition.replace('(?)', `(${list})`)})`, [
        ...scopeParams,
        ...chunk,
      ]);
      for (const r of rows) selected.set(`${r.import_id}\u0000${r.line}`, r);
    }
  };
  await select("destination_code = 'KP' OR consignee_country = 'KP' OR origin_code = 'KP' OR shipper_country = 'KP'");
  if (loading.length > 0) await select('port_loading IN (?)', loading);
  if (discharge.length > 0) await select('port_discharge IN (?)', discharge);
  const names = [...matched];
  if (names.length > 0) {
    await select('shipper IN (?)', names);
    await select('consignee IN (?)', names);
    await select('notify_party IN (?)', names);
  }
  if (imos.length > 0) await select('vessel_imo IN (?)', imos);
  if (vesselNames.length > 0) await select('vessel_imo IS NULL AND vessel_name IN (?)', vesselNames);

  const shipments = [...selected.values()].map(shipmentFromRow);
  shipments.sort((a, b) => (a.importId < b.importId ? -1 : a.importId > b.importId ? 1 : a.line - b.line));
  const findings: Finding[] = [];
  report({ step: 'records', done: 0, total: shipments.length });
  for (let k = 0; k < shipments.length; k++) {
    for (const f of screener.screen(shipments[k]!)) findings.push(f);
    if ((k + 1) % PROGRESS_EVERY === 0) report({ step: 'records', done: k + 1, total: shipments.length });
  }
  report({ step: 'records', done: shipments.length, total: shipments.length });
  screener.stats.records = records;
  if (opts.save !== false && findings.length > 0) {
    report({ step: 'saving', done: 0, total: findings.length });
    await store.putFindings(findings);
    report({ step: 'saving', done: findings.length, total: findings.length });
  }
  const byKind: Record<string, number> = Object.fromEntries(TRADE_KINDS.map((k) => [k, 0]));
  for (const f of findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  return {
    records,
    findings,
    byKind,
    partyLookups: screener.stats.partyLookups,
    partiesRuledOut: screener.stats.partiesRuledOut,
    params: screener.params,
  };
}

/** Values per `IN (...)` list (PostgreSQL allows 65,535 parameters per statement). */
const IN_CHUNK = 1000;
