import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { type Chain, chainFromAsset, checkAddress, detectAddress } from './addresses.js';
import { type AttributionLoad, CONFIDENCE, type SdnEntity, type Tag, tagPackTags } from './attribution.js';
import { splitCsvLine } from './csv.js';

/**
 * Attribution a user adds (`crypto attribution add FILE`, `POST /crypto/attribution`): a GraphSense TagPack, a CSV
 * `address,chain,actor,label,source_url`, or a plain list of addresses (an FBI/OFAC-style notice) with one actor.
 * The tags go beside the bundled packs under their own source `user:<name>`; each tag's `sourceRecord` is
 * `<file>:<line> sha256:<file sha256>`, so every hit names the exact line of the exact file it came from.
 */

export type UserAttributionFormat = 'tagpack' | 'csv' | 'list';

export interface UserAttributionOptions {
  /** Name of the pack (source `user:<name>`); default the file name without its extension. */
  name?: string;
  /** Actor for every address of a list (required for a list; default for CSV rows without one). */
  actor?: string;
  /** Label for rows without one (default: the actor). */
  label?: string;
  /** GraphSense confidence level name (default `authority_data` for lists, `manual_check` otherwise). */
  confidence?: string;
  /** Mark the addresses as DPRK-attributed even when the actor is not a known DPRK actor name. */
  dprk?: boolean;
  /** Force a format instead of detecting it. */
  format?: UserAttributionFormat;
}

export interface UserAttributionParse {
  name: string;
  source: string;
  format: UserAttributionFormat;
  sha256: string;
  tags: Tag[];
  rejected: Array<{ where: string; reason: string }>;
  unsupported: Record<string, number>;
}

/** Actor names the FBI, OFAC and GraphSense use for the DPRK's cyber units (TraderTraitor is the FBI's name). */
const DPRK_ACTOR = /lazarus|tradertraitor|trader traitor|apt ?38|bluenoroff|stardust chollima|dprk|north korea/i;

const norm = (s: string) =>
  s
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();

/** Which of the three formats a file is: by extension (.yaml/.yml), then by a header naming `address`. */
export function detectFormat(fileName: string, text: string): UserAttributionFormat {
  if (/\.ya?ml$/i.test(fileName)) return 'tagpack';
  const first = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (first && /^(title|tags|creator|currency)\s*:/.test(first)) return 'tagpack';
  if (
    first &&
    splitCsvLine(first)
      .map((h) =>
        h
          .trim()
          .replace(/^\uFEFF/, '')
          .toLowerCase(),
      )
      .includes('address')
  )
    return 'csv';
  return 'list';
}

/**
 * Parse a user's attribution file into tags. `entities` are the SDN entities known to the store: an actor that
 * names one (LAZARUS GROUP for every DPRK actor name) links the tag to it.
 */
export function parseUserAttribution(
  fileName: string,
  text: string,
  opts: UserAttributionOptions,
  entities: Map<string, SdnEntity>,
  actorLabels: Map<string, string> = new Map(),
): UserAttributionParse {
  const base = fileName.replace(/^.*[\\/]/, '');
  const sha256 = createHash('sha256').update(text).digest('hex');
  const name = (opts.name ?? base.replace(/\.[^.]+$/, '')).trim();
  if (!/^[\w.@-]{1,80}$/.test(name))
    throw new InputError(`--name: letters, digits, ".", "_", "-" and "@" only (1-80), got "${name}"`);
  const source = `user:${name}`;
  const format = opts.format ?? detectFormat(base, text);
  const confName = opts.confidence ?? (format === 'list' ? 'authority_data' : 'manual_check');
  const confidence = CONFIDENCE[confName];
  if (confidence === undefined)
    throw new InputError(`--confidence: one of ${Object.keys(CONFIDENCE).join(', ')}, got "${confName}"`);
  const byName = new Map<string, SdnEntity>();
  for (const e of entities.values()) for (const n of [e.name, ...e.akas]) if (n) byName.set(norm(n), e);
  const lazarus = byName.get('LAZARUS GROUP');
  const record = (line: number) => `${base}:${line} sha256:${sha256}`;
  const out: UserAttributionParse = { name, source, format, sha256, tags: [], rejected: [], unsupported: {} };

  const tagFor = (
    chain: Chain,
    address: string,
    actor: string | null,
    label: string,
    line: number,
    url: string | null,
  ): Tag => {
    const dprk = opts.dprk === true || (actor !== null && DPRK_ACTOR.test(actor));
    const entity = (actor ? byName.get(norm(actor)) : undefined) ?? (dprk ? lazarus : undefined);
    return {
      chain,
      address,
      label: url ? `${label} <${url}>` : label,
      category: 'user',
      abuse: null,
      actor,
      source,
      sourceRecord: record(line),
      confidence,
      entityId: entity?.entityId ?? null,
      programs: entity?.programs ?? [],
      sanctioned: false,
      dprk: dprk || (entity?.dprk ?? false),
    };
  };

  if (format === 'tagpack') {
    const load: AttributionLoad = { tags: [], entities, rejected: [], unsupported: {} };
    tagPackTags(text, base, load, actorLabels);
    // Line of each tag: the next occurrence of its address in the text (tags are in file order).
    let from = 0;
    const lineAt = (pos: number) => text.slice(0, pos).split('\n').length;
    const lower = text.toLowerCase();
    for (const t of load.tags) {
      const at = lower.indexOf(t.address.toLowerCase(), from);
      const line = at >= 0 ? lineAt(at) : 0;
      if (at >= 0) from = at + t.address.length;
      const actor = t.actor ?? opts.actor ?? null;
      const dprk = t.dprk || opts.dprk === true || (actor !== null && DPRK_ACTOR.test(actor));
      const entity = t.entityId ? entities.get(t.entityId) : dprk ? lazarus : undefined;
      out.tags.push({
        ...t,
        actor,
        source,
        sourceRecord: record(line),
        // The pack's own source URL stays visible beside our file:line provenance.
        label: /^https?:/.test(t.sourceRecord) ? `${t.label} <${t.sourceRecord}>` : t.label,
        entityId: entity?.entityId ?? null,
        programs: entity?.programs ?? t.programs,
        dprk,
      });
    }
    out.rejected.push(...load.rejected);
    out.unsupported = load.unsupported;
    return out;
  }

  const lines = text.split('\n');
  if (format === 'csv') {
    let header: string[] | null = null;
    lines.forEach((raw, i) => {
      const l = raw.replace(/\r$/, '');
      if (l.trim() === '' || l.trim().startsWith('#')) return;
      const cells = splitCsvLine(l).map((c) => c.trim());
      if (!header) {
        header = cells.map((h) => h.replace(/^\uFEFF/, '').toLowerCase());
        return;
      }
      const v: Record<string, string> = {};
      header.forEach((h, j) => {
        v[h] = cells[j] ?? '';
      });
      const where = `${base}:${i + 1}`;
      const actor = v.actor || opts.actor || null;
      const chainName = v.chain || v.currency || '';
      const hint = chainName ? chainFromAsset(chainName) : null;
      if (chainName && !hint && !/^(usdt|usdc|erc20|trc20|bep20)$/i.test(chainName)) {
        out.unsupported[chainName] = (out.unsupported[chainName] ?? 0) + 1;
        return;
      }
      const check = hint ? checkAddress(hint, v.address ?? '') : detectAddress(v.address ?? '');
      if (!check.ok) {
        out.rejected.push({ where, reason: `${check.reason} (${v.address ?? ''})` });
        return;
      }
      const label = v.label || opts.label || actor || name;
      out.tags.push(tagFor(check.chain, check.address, actor, label, i + 1, v.source_url || null));
    });
    if (!header) throw new InputError(`${base}: empty file`);
    return out;
  }

  // A list: one address per line (a first CSV cell is taken; "#" starts a comment), one actor for all.
  const actor = opts.actor?.trim();
  if (!actor) throw new InputError(`${base}: a list of addresses needs --actor (who the notice attributes them to)`);
  lines.forEach((raw, i) => {
    const cell = (splitCsvLine(raw.replace(/#.*$/, ''))[0] ?? '').trim();
    if (cell === '') return;
    const check = detectAddress(cell);
    if (!check.ok) {
      out.rejected.push({ where: `${base}:${i + 1}`, reason: `${check.reason} (${cell})` });
      return;
    }
    out.tags.push(tagFor(check.chain, check.address, actor, opts.label || actor, i + 1, null));
  });
  return out;
}
