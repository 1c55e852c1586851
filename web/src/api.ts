import type { GroupList, GroupShareBody } from '../../src/api/auth/groups.js';
import type { CaseShares, LoginBody, LoginReply, Me, ShareBody } from '../../src/api/auth/routes.js';
import type { Alert, AlertList, AlertsQuery } from '../../src/api/routes/alerts.js';
import type { CapQuery, CapYears, CargoEstimates } from '../../src/api/routes/cargo.js';
import type {
  AddItemBody,
  CaseItem,
  CaseList,
  CaseRecord,
  CreateCaseBody,
  EvidenceList,
  UpdateCaseBody,
} from '../../src/api/routes/cases.js';
import type { CandidateList, CandidatesQuery, JudgementBody, JudgementReply } from '../../src/api/routes/dedupe.js';
import type {
  CreatedEntity,
  CreateEntityBody,
  LinkBody,
  RemovedEntity,
  UserLinkList,
  UserLinkReply,
} from '../../src/api/routes/entities.js';
import type { Health } from '../../src/api/routes/health.js';
import type { ImportJob, ImportJobList } from '../../src/api/routes/imports.js';
import type { PartyVessels, VesselView as RegistryVessel } from '../../src/api/routes/ownership.js';
import type { MirrorQuery, MirrorReply } from '../../src/api/routes/trade.js';
import type { Tracks, TracksQuery, VesselProfile } from '../../src/api/routes/vessels.js';
import type { AddWatchBody, Watch, WatchList } from '../../src/api/routes/watchlists.js';
import type { EntityView, Graph, GraphPath, Overview, PathQuery } from '../../src/api/routes/workspace.js';
import type { EvidenceRaw } from '../../src/cases/types.js';
import type { Finding } from '../../src/findings/finding.js';
import type { RedFlag } from '../../src/findings/red-flags.js';

export type {
  Alert,
  CaseItem,
  CaseRecord,
  EntityView,
  Graph,
  ImportJob,
  Overview,
  PartyVessels,
  RegistryVessel,
  Tracks,
  UserLinkReply as UserLink,
  VesselProfile,
  Watch,
};
export type CaseSummary = CaseList['results'][number];
export type { CaseShares };
export type EvidenceEntry = EvidenceList['results'][number];
export type Track = Tracks['tracks'][number];

/**
 * The typed API client. Every endpoint the UI calls is declared once here (method + OpenAPI path); a test checks
 * each one against the server's OpenAPI document (/docs/json), so a renamed route fails the build, not the user.
 * Requests only ever go to the page's own origin.
 */
export const ENDPOINTS = {
  health: { method: 'GET', path: '/healthz' },
  me: { method: 'GET', path: '/auth/me' },
  login: { method: 'POST', path: '/auth/login' },
  logout: { method: 'POST', path: '/auth/logout' },
  findings: { method: 'GET', path: '/findings' },
  finding: { method: 'GET', path: '/findings/{id}' },
  findingRawEvidence: { method: 'GET', path: '/findings/{id}/raw-evidence' },
  redFlags: { method: 'GET', path: '/red-flags' },
  overview: { method: 'GET', path: '/workspace/overview' },
  entity: { method: 'GET', path: '/workspace/entities/{id}' },
  vessel: { method: 'GET', path: '/workspace/vessels/{id}' },
  registryVessel: { method: 'GET', path: '/ownership/vessels/{imo}' },
  partyVessels: { method: 'GET', path: '/ownership/parties/{id}/vessels' },
  tracks: { method: 'GET', path: '/workspace/tracks' },
  trackColumns: { method: 'GET', path: '/workspace/tracks/columns' },
  graph: { method: 'GET', path: '/workspace/graph/{id}' },
  path: { method: 'GET', path: '/workspace/path' },
  cases: { method: 'GET', path: '/cases' },
  createCase: { method: 'POST', path: '/cases' },
  case: { method: 'GET', path: '/cases/{id}' },
  updateCase: { method: 'PATCH', path: '/cases/{id}' },
  deleteCase: { method: 'DELETE', path: '/cases/{id}' },
  addItem: { method: 'POST', path: '/cases/{id}/items' },
  removeItem: { method: 'DELETE', path: '/cases/{id}/items/{itemId}' },
  evidence: { method: 'GET', path: '/cases/{id}/evidence' },
  reportHtml: { method: 'GET', path: '/cases/{id}/report.html' },
  reportPdf: { method: 'GET', path: '/cases/{id}/report.pdf' },
  caseShares: { method: 'GET', path: '/cases/{id}/shares' },
  shareCase: { method: 'POST', path: '/cases/{id}/shares' },
  unshareCase: { method: 'DELETE', path: '/cases/{id}/shares/{userId}' },
  groups: { method: 'GET', path: '/groups' },
  shareCaseWithGroup: { method: 'POST', path: '/cases/{id}/group-shares' },
  unshareCaseWithGroup: { method: 'DELETE', path: '/cases/{id}/group-shares/{groupId}' },
  watchlist: { method: 'GET', path: '/watchlist' },
  watch: { method: 'POST', path: '/watchlist' },
  unwatch: { method: 'DELETE', path: '/watchlist/{id}' },
  alerts: { method: 'GET', path: '/alerts' },
  readAlert: { method: 'POST', path: '/alerts/{id}/read' },
  search: { method: 'GET', path: '/search/{dataset}' },
  cryptoTrace: { method: 'POST', path: '/crypto/trace' },
  dedupeCandidates: { method: 'GET', path: '/dedupe/candidates' },
  dedupeJudge: { method: 'POST', path: '/dedupe/judgements' },
  createEntity: { method: 'POST', path: '/entities' },
  deleteEntity: { method: 'DELETE', path: '/entities/{id}' },
  userLinks: { method: 'GET', path: '/entities/{id}/links' },
  addLink: { method: 'POST', path: '/entities/{id}/links' },
  deleteLink: { method: 'DELETE', path: '/entities/{id}/links/{linkId}' },
  tradeMirror: { method: 'GET', path: '/trade/mirror' },
  cargoCap: { method: 'GET', path: '/cargo/cap' },
  cargoEstimate: { method: 'GET', path: '/cargo/estimate/{id}' },
  importJobs: { method: 'GET', path: '/imports/jobs' },
  importJob: { method: 'GET', path: '/imports/jobs/{id}' },
  cancelImportJob: { method: 'DELETE', path: '/imports/jobs/{id}' },
  // Uploads go through XMLHttpRequest (for upload progress), to these paths: pages/Imports.tsx.
  importList: { method: 'POST', path: '/imports/lists' },
  importAisFile: { method: 'POST', path: '/imports/ais' },
  importTransfersFile: { method: 'POST', path: '/imports/transfers' },
} as const;

export type EndpointName = keyof typeof ENDPOINTS;

/** A search result as the screening API returns it (yente-style): score with the per-feature explanations. */
export interface MatchResult {
  id: string;
  schema: string;
  caption: string;
  score: number;
  match?: boolean;
  features?: Record<string, number>;
  /** feature → its value, weight in the score and a sentence saying what matched. */
  explanations?: Record<string, { value: number; weight: number; detail: string }>;
  properties?: Record<string, string[]>;
  datasets?: string[];
  /** The source entities merged into this canonical entity (docs/graph.md); empty when nothing was merged. */
  referents?: string[];
}

export interface Responses {
  health: Health;
  me: Me;
  login: LoginReply;
  logout: { ok: boolean };
  findings: { total: number; results: Finding[] };
  finding: Finding;
  findingRawEvidence: { results: Array<{ source: string; record: string; raw: EvidenceRaw }> };
  redFlags: RedFlag[];
  overview: Overview;
  entity: EntityView;
  vessel: VesselProfile;
  registryVessel: RegistryVessel;
  partyVessels: PartyVessels;
  tracks: Tracks;
  trackColumns: ArrayBuffer;
  graph: Graph;
  path: GraphPath;
  cases: CaseList;
  createCase: CaseRecord;
  case: CaseRecord;
  updateCase: CaseRecord;
  deleteCase: undefined;
  addItem: CaseItem;
  removeItem: undefined;
  evidence: EvidenceList;
  reportHtml: string;
  reportPdf: Blob;
  caseShares: CaseShares;
  shareCase: CaseShares;
  unshareCase: CaseShares;
  groups: GroupList;
  shareCaseWithGroup: CaseShares;
  unshareCaseWithGroup: CaseShares;
  watchlist: WatchList;
  watch: Watch;
  unwatch: undefined;
  alerts: AlertList;
  readAlert: undefined;
  search: { results: MatchResult[]; total?: { value: number } | number };
  cryptoTrace: unknown;
  dedupeCandidates: CandidateList;
  dedupeJudge: JudgementReply;
  createEntity: CreatedEntity;
  deleteEntity: RemovedEntity;
  userLinks: UserLinkList;
  addLink: UserLinkReply;
  deleteLink: UserLinkReply;
  tradeMirror: MirrorReply;
  cargoCap: CapYears;
  cargoEstimate: CargoEstimates;
  importJobs: ImportJobList;
  importJob: ImportJob;
  cancelImportJob: ImportJob;
  importList: ImportJob;
  importAisFile: ImportJob;
  importTransfersFile: ImportJob;
}

/**
 * Request bodies and query strings of the endpoints whose route schemas are TypeBox: the same types the server
 * validates against, so a call with a misspelt or missing field fails to compile.
 */
export interface Bodies {
  login: LoginBody;
  createCase: CreateCaseBody;
  updateCase: UpdateCaseBody;
  addItem: AddItemBody;
  shareCase: ShareBody;
  shareCaseWithGroup: GroupShareBody;
  watch: AddWatchBody;
  dedupeJudge: JudgementBody;
  createEntity: CreateEntityBody;
  addLink: LinkBody;
}
export interface Queries {
  alerts: AlertsQuery;
  tracks: TracksQuery;
  path: PathQuery;
  dedupeCandidates: CandidatesQuery;
  tradeMirror: MirrorQuery;
  cargoCap: CapQuery;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type QueryValue = string | number | boolean | Array<string | number> | undefined;

export interface CallOptions<N extends EndpointName = EndpointName> {
  params?: Record<string, string>;
  query?: N extends keyof Queries ? Queries[N] : Record<string, QueryValue>;
  body?: N extends keyof Bodies ? Bodies[N] : unknown;
  signal?: AbortSignal;
}

export function urlFor<N extends EndpointName>(name: N, opts: CallOptions<N> = {}): string {
  let p: string = ENDPOINTS[name].path;
  p = p.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = opts.params?.[k];
    if (v === undefined) throw new Error(`${name}: missing path parameter ${k}`);
    return encodeURIComponent(v);
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries((opts.query ?? {}) as Record<string, QueryValue>)) {
    if (v === undefined || v === '') continue;
    if (Array.isArray(v)) for (const x of v) qs.append(k, String(x));
    else qs.set(k, String(v));
  }
  const q = qs.toString();
  return q ? `${p}?${q}` : p;
}

/** With auth on, changes carry the session's CSRF token (the wk_csrf cookie, readable by the page). */
export function csrfHeader(method: string): Record<string, string> {
  if (method === 'GET' || typeof document === 'undefined') return {};
  const m = /(?:^|;\s*)wk_csrf=([^;]*)/.exec(document.cookie);
  return m?.[1] ? { 'x-csrf-token': decodeURIComponent(m[1]) } : {};
}

/** Fired on a 401 from any call but sign-in: the app then shows the sign-in form (App.tsx). */
export const UNAUTHORIZED_EVENT = 'wk:unauthorized';

export async function api<N extends EndpointName>(name: N, opts: CallOptions<N> = {}): Promise<Responses[N]> {
  const ep = ENDPOINTS[name];
  let res: Response;
  try {
    res = await fetch(urlFor(name, opts), {
      method: ep.method,
      headers: {
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...csrfHeader(ep.method),
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', `The server did not answer (${(err as Error).message}). Is it still running?`);
  }
  if (!res.ok) {
    let code = 'error';
    let message = `${res.status} ${res.statusText}`;
    try {
      const j = (await res.json()) as { error?: string; message?: string };
      code = j.error ?? code;
      message = j.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    if (res.status === 401 && name !== 'login' && typeof window !== 'undefined') {
      window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    }
    throw new ApiError(res.status, code, message);
  }
  if (res.status === 204) return undefined as Responses[N];
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('application/json')) return (await res.json()) as Responses[N];
  if (type.includes('text/html') && name !== 'reportHtml') {
    throw new ApiError(404, 'not_found', `this server has no API at ${ep.method} ${ep.path}`);
  }
  if (type.includes('application/pdf')) return (await res.blob()) as Responses[N];
  if (type.includes('application/octet-stream')) return (await res.arrayBuffer()) as Responses[N];
  return (await res.text()) as Responses[N];
}
