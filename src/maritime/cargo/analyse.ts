import type { Finding } from '../../findings/finding.js';
import { BANNED_EXPORT_DEFAULTS, type BannedExportParams, bannedExports } from './banned-export.js';
import { CAP_DEFAULTS, type CapParams, capFindings, trackCap } from './cap.js';
import { type CargoContext, cargoEstimates } from './events.js';
import type { OfficialDelivery } from './official.js';
import { CARGO_DEFAULTS, type CargoParams } from './params.js';

/**
 * Everything the cargo module derives from one set of maritime findings: `cargo.estimate` per event with a draught
 * change, `trade.banned_export` for loadings at (or dark near) DPRK coal ports, and `trade.petroleum_cap` for
 * years whose estimated deliveries pass the cap. Pure.
 */
export interface CargoOptions {
  cargo?: CargoParams;
  bannedExport?: BannedExportParams;
  cap?: CapParams;
  official?: OfficialDelivery[];
  /** Findings already stored (earlier runs) for the cap tracker's year totals; the new ones win on equal ids. */
  earlier?: Finding[];
}

export function analyseCargo(findings: Finding[], ctx: CargoContext, opts: CargoOptions = {}): Finding[] {
  const estimates = cargoEstimates(findings, ctx, opts.cargo ?? CARGO_DEFAULTS);
  const withEstimates = [...findings, ...estimates];
  const banned = bannedExports(withEstimates, opts.bannedExport ?? BANNED_EXPORT_DEFAULTS);
  const merged = new Map<string, Finding>();
  for (const f of opts.earlier ?? []) merged.set(f.id, f);
  for (const f of withEstimates) merged.set(f.id, f);
  const cap = capFindings(
    trackCap([...merged.values()], opts.official ?? [], opts.cap ?? CAP_DEFAULTS, opts.cargo ?? CARGO_DEFAULTS),
    opts.cap ?? CAP_DEFAULTS,
  );
  return [...estimates, ...banned, ...cap];
}
