import { createHash } from 'node:crypto';
import { type RawProvenance, refKey, resolveAisEvidence } from '../evidence/ais-raw.js';
import { resolveTransferEvidence, type TransferProvenance } from '../evidence/crypto-raw.js';
import { listRecordKey, resolveListRecords } from '../evidence/list-raw.js';
import type { Finding } from '../findings/finding.js';
import type { Entity } from '../model/entity.js';
import type { ListVersion, Store } from '../store/store.js';
import { caseEntity, walletIdsFor } from './subjects.js';
import type { CaseRecord, EvidenceEntry, EvidenceRaw } from './types.js';

/**
 * A case's evidence list: every raw record the case rests on, with its source, record reference and content hash,
 * numbered E-1, E-2, ... in the order of the case items. Findings contribute their EvidenceRefs; entities their
 * statements grouped by source record (hashed over the statements, with the list file's sha256 beside them);
 * addresses the wallet entity's statements; notes the hash of their text.
 */

export interface CaseMaterial {
  findings: Finding[];
  entities: Entity[];
  /** Addresses as typed, with the wallet entity when the store knows it. */
  addresses: Array<{ address: string; entity: Entity | undefined }>;
  notes: Array<{ id: string; text: string; addedAt: string }>;
  missing: string[];
  versions: Map<string, ListVersion>;
  /** Raw provenance of the findings' AIS position evidence, by `refKey` (see evidence/ais-raw.ts). */
  raw: Map<string, RawProvenance>;
  /** Stored transfers and their import behind the findings' `tx:` evidence, by `refKey`. */
  transfers: Map<string, TransferProvenance>;
  /** The list records the entities' statements cite, read back from the list files, by `listRecordKey`. */
  listRecords: Map<string, EvidenceRaw>;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function loadCaseMaterial(store: Store, c: CaseRecord): Promise<CaseMaterial> {
  const m: CaseMaterial = {
    findings: [],
    entities: [],
    addresses: [],
    notes: [],
    missing: [],
    versions: new Map(),
    raw: new Map(),
    transfers: new Map(),
    listRecords: new Map(),
  };
  for (const item of c.items) {
    if (item.kind === 'finding') {
      const f = await store.getFinding(item.ref);
      if (f) m.findings.push(f);
      else m.missing.push(`finding ${item.ref}`);
    } else if (item.kind === 'entity') {
      const e = await caseEntity(store, item.ref);
      if (!e) m.missing.push(`entity ${item.ref}`);
      else if (!m.entities.some((x) => x.id === e.id)) m.entities.push(e);
    } else if (item.kind === 'address') {
      const found = await store.getEntities(walletIdsFor(item.ref));
      m.addresses.push({ address: item.ref, entity: found[0] });
    } else {
      m.notes.push({ id: item.id, text: item.ref, addedAt: item.addedAt });
    }
  }
  const versionIds = new Set<string>();
  for (const e of [...m.entities, ...m.addresses.flatMap((a) => (a.entity ? [a.entity] : []))]) {
    for (const st of e.statements) if (st.versionId) versionIds.add(st.versionId);
  }
  for (const id of versionIds) {
    const v = await store.getListVersion(id);
    if (v) m.versions.set(id, v);
  }
  // The list records cited, each list file read once.
  const records = new Map<string, { versionId: string; sourceRecord: string }>();
  for (const e of [...m.entities, ...m.addresses.flatMap((a) => (a.entity ? [a.entity] : []))])
    for (const st of e.statements)
      if (st.versionId)
        records.set(listRecordKey(st.versionId, st.sourceRecord), {
          versionId: st.versionId,
          sourceRecord: st.sourceRecord,
        });
  m.listRecords = await resolveListRecords(store, [...records.values()], m.versions);
  m.transfers = await resolveTransferEvidence(
    store,
    m.findings.flatMap((f) => f.evidence),
  );
  // Positions, static reports and the AIS-derived statements of the entities (`ais-<mmsi>` Vessels, record
  // `<file>:<line>`) in one batch: one query per import, each file read once.
  const aisStatements = new Map<string, { source: string; record: string }>();
  for (const e of [...m.entities, ...m.addresses.flatMap((a) => (a.entity ? [a.entity] : []))])
    for (const st of e.statements)
      if (st.source === 'ais' && !st.versionId)
        aisStatements.set(st.sourceRecord, { source: 'ais', record: st.sourceRecord });
  m.raw = await resolveAisEvidence(store, [...m.findings.flatMap((f) => f.evidence), ...aisStatements.values()]);
  return m;
}

function entityEntries(
  e: Entity,
  versions: Map<string, ListVersion>,
  citedBy: string,
  listRecords: Map<string, EvidenceRaw> = new Map(),
  aisRaw: Map<string, RawProvenance> = new Map(),
): Omit<EvidenceEntry, 'ref'>[] {
  const groups = new Map<string, typeof e.statements>();
  for (const st of e.statements) {
    const key = `${st.source}\u0000${st.versionId ?? ''}\u0000${st.sourceRecord}`;
    const g = groups.get(key);
    if (g) g.push(st);
    else groups.set(key, [st]);
  }
  const out: Omit<EvidenceEntry, 'ref'>[] = [];
  for (const sts of groups.values()) {
    const st0 = sts[0]!;
    const v = st0.versionId ? versions.get(st0.versionId) : undefined;
    const canonical = sts
      .map((s) => `${s.entityId}\t${s.prop}\t${s.value}`)
      .sort()
      .join('\n');
    // A list record read back from its list file; an AIS-derived statement's line read back from its AIS file.
    const raw = st0.versionId
      ? listRecords.get(listRecordKey(st0.versionId, st0.sourceRecord))
      : st0.source === 'ais'
        ? aisRaw.get(refKey({ source: 'ais', record: st0.sourceRecord }))
        : undefined;
    out.push({
      citedBy,
      kind: 'entity-statement',
      source: v ? `${v.source} (${v.id})` : st0.source,
      record: st0.sourceRecord,
      contentHash: sha256Hex(canonical),
      description:
        `${sts.length} statement(s) on ${e.caption()}: ${[...new Set(sts.map((s) => s.prop))].join(', ')}; seen ${st0.seenAt}` +
        (v
          ? `; list file sha256 ${v.sha256}`
          : raw
            ? `; last seen at this line of ${raw.file}, file sha256 ${raw.sha256}`
            : ''),
      ...(raw ? { raw } : {}),
    });
  }
  return out;
}

/** `mmsi:354771206@1709442636000` as "MMSI 354771206 at 2024-03-03T05:17:16Z" (`static:` refs: "static report of"). */
function positionLabel(record: string): string {
  const m = /^(static:)?mmsi:(\d+)@(-?\d+)$/.exec(record);
  return m ? `${m[1] ? 'static report of ' : ''}MMSI ${m[2]} at ${isoSeconds(Number(m[3]))}` : record;
}

/** Epoch ms (or an ISO string) as ISO-8601 UTC to the second. */
export function isoSeconds(t: number | string): string {
  const d = typeof t === 'number' ? new Date(t) : new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : `${d.toISOString().slice(0, 19)}Z`;
}

/** A finding's AIS position evidence as an entry citing its file, sha256 and line (and the raw sentence). */
function aisEntry(f: Finding, ev: Finding['evidence'][number], prov: RawProvenance): Omit<EvidenceEntry, 'ref'> {
  // file:line; without a line, file#ref (no space: a table or a citation never splits it).
  const where = prov.line > 0 ? `${prov.file}:${prov.line}` : `${prov.file}#${ev.record}`;
  const status = prov.status === 'verified' ? '' : `; ${prov.message}`;
  return {
    citedBy: f.id,
    kind: 'finding-evidence',
    source: `${prov.file} (import ${ev.source})`,
    record: where,
    contentHash: prov.sha256,
    description: `${ev.note ?? `evidence for ${f.kind}`}: ${positionLabel(ev.record)}${status}`,
    raw: prov,
  };
}

/** A finding's `tx:` evidence with the stored transfers (block, log index) and the RPC endpoint or file they came from. */
function transferEntry(
  f: Finding,
  ev: Finding['evidence'][number],
  tx: TransferProvenance,
): Omit<EvidenceEntry, 'ref'> {
  const from = tx.imports
    .map((i) => `${i.location}${i.sha256 ? ` (sha256 ${i.sha256})` : ''}, import ${i.id}`)
    .join('; ');
  return {
    citedBy: f.id,
    kind: 'finding-evidence',
    source: ev.source,
    record: tx.blocks.length ? `${ev.record} (block ${tx.blocks.join(', ')})` : ev.record,
    contentHash: ev.contentHash ?? tx.sha256,
    description: `${ev.note ?? `evidence for ${f.kind}`}: ${tx.transfers.join('; ')}; from ${from}`,
  };
}

export function buildEvidenceList(c: CaseRecord, m: CaseMaterial): EvidenceEntry[] {
  const raw: Omit<EvidenceEntry, 'ref'>[] = [];
  const findings = new Map(m.findings.map((f) => [f.id, f]));
  const entities = new Map(m.entities.map((e) => [e.id, e]));
  const cited = new Set<string>();
  for (const item of c.items) {
    if (item.kind === 'finding') {
      const f = findings.get(item.ref);
      if (!f) continue;
      for (const ev of f.evidence) {
        const prov = m.raw?.get(refKey(ev));
        if (prov) {
          raw.push(aisEntry(f, ev, prov));
          continue;
        }
        const tx = m.transfers?.get(refKey(ev));
        if (tx) {
          raw.push(transferEntry(f, ev, tx));
          continue;
        }
        raw.push({
          citedBy: f.id,
          kind: 'finding-evidence',
          source: ev.source,
          record: ev.record,
          contentHash: ev.contentHash ?? null,
          description: ev.note ?? `evidence for ${f.kind}`,
        });
      }
    } else if (item.kind === 'entity') {
      const e = entities.get(item.ref) ?? m.entities.find((x) => x.statements.some((s) => s.entityId === item.ref));
      if (e && !cited.has(e.id)) raw.push(...entityEntries(e, m.versions, e.id, m.listRecords, m.raw));
      if (e) cited.add(e.id);
    } else if (item.kind === 'address') {
      const a = m.addresses.find((x) => x.address === item.ref);
      if (a?.entity) raw.push(...entityEntries(a.entity, m.versions, item.ref, m.listRecords, m.raw));
      else
        raw.push({
          citedBy: item.ref,
          kind: 'note',
          source: 'investigator',
          record: item.ref,
          contentHash: sha256Hex(item.ref),
          description: 'address added by the investigator; no wallet entity in the store',
        });
    } else {
      raw.push({
        citedBy: item.id,
        kind: 'note',
        source: 'investigator',
        record: `note ${item.id} (${item.addedAt})`,
        contentHash: sha256Hex(item.ref),
        description: 'investigator note',
      });
    }
  }
  return raw.map((e, i) => ({ ref: `E-${i + 1}`, ...e }));
}
