import { type Finding, findingId } from '../findings/finding.js';
import { type Chain, walletEntityId } from './addresses.js';
import type { ExposureResult } from './exposure.js';
import type { TraceReport } from './report.js';
import type { ScreenResult } from './screen.js';

/**
 * Findings from crypto analysis, in the one Finding shape (so the UI, cases and reports treat them like maritime
 * findings): each names the wallets (and list entities) involved, carries tx hashes as evidence and the
 * parameters that produced it.
 */

const chainSource = (chain: Chain) => `chain:${chain}`;

/** `crypto.sanctioned_counterparty`: the screened address transacted directly with a listed address. */
export function sanctionedCounterpartyFindings(r: ScreenResult, firstSeen: Map<string, number>): Finding[] {
  if (!r.valid || !r.chain || !r.address || !r.counterparties) return [];
  const chain = r.chain;
  const subject = walletEntityId(chain, r.address.toLowerCase() === r.address ? r.address : normal(chain, r.address));
  const out: Finding[] = [];
  for (const c of r.counterparties) {
    const other = walletEntityId(chain, normal(chain, c.address));
    const subjects = [subject, other, ...(c.entityId ? [c.entityId] : [])];
    const startMs = firstSeen.get(c.address) ?? 0;
    const start = new Date(startMs).toISOString();
    const totals = Object.entries(c.totals)
      .map(([a, v]) => `${v} ${a}`)
      .join(', ');
    const f: Finding = {
      id: findingId('crypto.sanctioned_counterparty', subjects, start),
      kind: 'crypto.sanctioned_counterparty',
      subjects,
      start,
      score: 1,
      redFlags: ['CRYPTO_SANCTIONED_COUNTERPARTY', 'SANCTIONS_LIST_MATCH'],
      explanation: `${r.address} ${c.direction === 'in' ? 'received from' : c.direction === 'out' ? 'sent to' : 'transacted with'} ${c.address} (${c.label}) in ${c.transfers} transfer(s): ${totals}.`,
      evidence: c.txHashes.map((h) => ({ source: chainSource(chain), record: `tx:${h}` })),
      params: { chain, direction: c.direction },
      details: { counterparty: c },
    };
    out.push(f);
  }
  return out;
}

function normal(chain: Chain, address: string): string {
  return chain === 'eth' ? address.toLowerCase() : address;
}

/** `crypto.exposure`: a share of what the address received traces back to listed / DPRK-attributed sources. */
export function exposureFinding(e: ExposureResult, chain: Chain, startMs: number): Finding | null {
  if (e.share <= 0) return null;
  const subjects = [
    ...e.targets.map((t) => walletEntityId(chain, normal(chain, t))),
    ...new Set(e.sources.map((s) => s.entityId).filter((x): x is string => x !== null)),
  ];
  const start = new Date(startMs).toISOString();
  const direct = e.direct.share > 0;
  return {
    id: findingId('crypto.exposure', subjects, start),
    kind: 'crypto.exposure',
    subjects,
    start,
    score: Math.min(1, (direct ? 0.6 : 0.3) + 0.4 * e.share),
    redFlags: direct ? ['CRYPTO_EXPOSURE', 'CRYPTO_SANCTIONED_COUNTERPARTY'] : ['CRYPTO_EXPOSURE'],
    explanation: `${(e.share * 100).toFixed(2)}% of the ${e.received} ${e.asset} received by ${e.targets.join(', ')} traces back to listed or DPRK-attributed sources (${e.method}, up to ${e.maxHops} hops): ${e.direct.amount} direct, ${e.indirect.amount} indirect.`,
    evidence: e.evidence.slice(0, 20).map((x) => ({
      source: chainSource(chain),
      record: `tx:${x.txHash}`,
      note: `hop ${x.hop}: ${x.tainted} ${e.asset} tainted`,
    })),
    params: { method: e.method, maxHops: e.maxHops, asset: e.asset },
    details: { received: e.received, exposed: e.exposed, share: e.share, byHop: e.byHop, sources: e.sources },
  };
}

/** `crypto.trace`: where funds from the seeds went (forward) or came from (backward). */
export function traceFinding(r: TraceReport): Finding | null {
  if (r.edges.length === 0) return null;
  const subjects = [
    ...r.seeds.map((s) => walletEntityId(r.chain, normal(r.chain, s.address))),
    ...new Set(r.listedReached.map((l) => l.entityId).filter((x): x is string => x !== null)),
  ];
  const times = r.edges.map((e) => e.time).sort();
  const start = times[0]!;
  const top = r.byService
    .slice(0, 3)
    .map((g) => `${g.amount} ${r.asset} at ${g.service}`)
    .join('; ');
  const redFlags = ['CRYPTO_EXPOSURE'];
  if (r.mixers.length > 0 || r.peelChains.length > 0) redFlags.push('CRYPTO_MIXER');
  const topEdges = [...r.edges].sort((a, b) => Number(b.tainted) - Number(a.tainted)).slice(0, 20);
  return {
    id: findingId('crypto.trace', subjects, start),
    kind: 'crypto.trace',
    subjects,
    start,
    end: times[times.length - 1],
    score: r.listedReached.length > 0 || r.byService.some((g) => g.category === 'exchange') ? 0.8 : 0.5,
    redFlags,
    explanation: `${r.direction === 'forward' ? 'Forward' : 'Backward'} ${r.method} trace of ${r.totals.start} ${r.asset} from ${r.seeds.map((s) => s.address).join(', ')} over ${r.counts.edges} transfers: ${top || 'no end positions'}.`,
    evidence: topEdges.map((e) => ({
      source: chainSource(r.chain),
      record: `tx:${e.txHash}`,
      note: `hop ${e.hop}: ${e.tainted} ${r.asset}`,
    })),
    params: {
      method: r.method,
      direction: r.direction,
      maxHops: r.params.maxHops,
      minAmount: r.params.minAmount,
      asset: r.asset,
    },
    details: {
      totals: r.totals,
      byService: r.byService,
      listedReached: r.listedReached,
      mixers: r.mixers,
      peelChains: r.peelChains.length,
    },
  };
}
