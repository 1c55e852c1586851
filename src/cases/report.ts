import { createHash } from 'node:crypto';
import { type Finding, severityOf } from '../findings/finding.js';
import { RED_FLAGS } from '../findings/red-flags.js';
import type { Entity } from '../model/entity.js';
import type { Store } from '../store/store.js';
import { cleanValue, isoToSeconds, summariseGeometry } from './annex-format.js';
import { getCase } from './cases.js';
import { sanctionsOf } from './entity-view.js';
import { buildEvidenceList, type CaseMaterial, loadCaseMaterial } from './evidence.js';
import { SECTIONS, type SectionId, sectionOf, symbolStyle } from './sections.js';
import { renderSvgMap } from './svg-map.js';
import type { CaseRecord, EvidenceEntry } from './types.js';

/**
 * A case as a report structured the way the UN Panel of Experts on the DPRK structures its reports: a summary,
 * findings by section (maritime: petroleum, coal, ship-to-ship transfers, identity fraud, voyage irregularities;
 * finance and cyber), maps and tables, the designated entities, and annexes with every piece of evidence (source,
 * record reference, content hash) and every parameter, so each statement can be checked. One self-contained HTML
 * string (inline CSS and SVG, no external requests); the PDF is that HTML printed by headless Chromium.
 */

export interface ReportData {
  case: CaseRecord;
  material: CaseMaterial;
  evidence: EvidenceEntry[];
  /** Sanctions (FtM Sanction entities) naming each case entity. */
  sanctions: Map<string, Entity[]>;
  generatedAt: string;
  /** sha256 over the evidence list (refs, sources, records, hashes): changes when any cited record changes. */
  digest: string;
}

export async function buildReportData(store: Store, caseId: string, generatedAt = new Date()): Promise<ReportData> {
  const c = await getCase(store, caseId);
  const material = await loadCaseMaterial(store, c);
  const evidence = buildEvidenceList(c, material);
  const sanctions = new Map<string, Entity[]>();
  for (const e of material.entities) {
    sanctions.set(e.id, await sanctionsOf(store, e));
  }
  const digest = createHash('sha256')
    .update(evidence.map((e) => `${e.ref}\t${e.citedBy}\t${e.source}\t${e.record}\t${e.contentHash ?? ''}`).join('\n'))
    .digest('hex');
  return { case: c, material, evidence, sanctions, generatedAt: generatedAt.toISOString(), digest };
}

function esc(v: unknown): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII'];
const LETTERS = 'ABCDEFGHIJ';

export const REPORT_CSS = `
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
body { font-family: 'Times New Roman', 'Liberation Serif', 'DejaVu Serif', 'Noto Serif CJK KR', 'Noto Sans CJK KR', 'Noto Sans CJK SC', serif; font-size: 11pt; line-height: 1.4; color: #111; max-width: 190mm; margin: 0 auto; }
.cjk, td, th { font-family: 'Liberation Sans', 'DejaVu Sans', 'Noto Sans CJK KR', 'Noto Sans CJK SC', sans-serif; }
header.cover { border-bottom: 2px solid #1a3d6d; margin-bottom: 1.5em; padding-bottom: .5em; }
header.cover .org { font-variant: small-caps; letter-spacing: .05em; color: #1a3d6d; }
h1 { font-size: 18pt; margin: .3em 0; } h2 { font-size: 14pt; color: #1a3d6d; margin-top: 1.6em; page-break-after: avoid; }
h3 { font-size: 12pt; margin-top: 1.2em; page-break-after: avoid; }
p.para { margin: .5em 0; } p.para .n { display: inline-block; min-width: 2.2em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: 8.5pt; page-break-inside: auto; }
th, td { border: 1px solid #999; padding: 3px 5px; vertical-align: top; text-align: left; word-break: break-word; }
th { background: #e8eef6; white-space: nowrap; } tr { page-break-inside: avoid; }
figure { margin: .8em 0; page-break-inside: avoid; } figcaption { font-size: 9pt; color: #333; }
svg.map { max-width: 100%; height: auto; border: 1px solid #999; }
.sev-high { color: #b00020; font-weight: bold; } .sev-medium { color: #b35c00; } .sev-low { color: #555; }
.mono { font-family: 'DejaVu Sans Mono', monospace; font-size: 7.5pt; word-break: break-all; }
.muted { color: #555; } .missing { color: #b00020; }
footer { margin-top: 2em; border-top: 1px solid #999; font-size: 8pt; color: #555; }
`;

function findingRef(index: Map<string, number>, id: string): string {
  return `F-${index.get(id) ?? '?'}`;
}

function evidenceRefsFor(evidence: EvidenceEntry[], citedBy: string): string {
  const refs = evidence.filter((e) => e.citedBy === citedBy).map((e) => e.ref);
  return refs.length ? ` (see annex I: ${refs.join(', ')})` : '';
}

/** The raw line(s) of an AIS evidence entry (or why they cannot be quoted), for the evidence annex. */
function rawCell(e: EvidenceEntry): string {
  const raw = e.raw;
  if (!raw) return '';
  if (raw.status !== 'verified') return `<div class="missing">${esc(raw.message)}</div>`;
  const tag = [raw.station ? `station ${raw.station}` : '', raw.tagTime ? `tag time ${raw.tagTime}` : '']
    .filter(Boolean)
    .join(', ');
  return (
    `<div class="mono">${raw.lines.map((l) => esc(l)).join('<br>')}</div>` +
    `<div class="muted">${esc(`${raw.file} line ${raw.line}${raw.lines.length > 1 ? `-${raw.line + raw.lines.length - 1}` : ''}${tag ? `; ${tag}` : ''}; read back, sha256 verified`)}</div>`
  );
}

function names(e: Entity): string[] {
  return [...new Set([...e.get('name'), ...e.get('alias'), ...e.get('weakAlias'), ...e.get('previousName')])];
}

function vesselLabel(f: Finding): string {
  if (f.vessels?.length) {
    return f.vessels.map((v) => `${v.name ?? 'unnamed'} (MMSI ${v.mmsi}${v.imo ? `, IMO ${v.imo}` : ''})`).join('; ');
  }
  return f.subjects.join(', ');
}

export function renderReportHtml(data: ReportData): string {
  const { case: c, material: m, evidence } = data;
  const fIndex = new Map(m.findings.map((f, i) => [f.id, i + 1]));
  let para = 0;
  const p = (html: string): string => `<p class="para"><span class="n">${++para}.</span>${html}</p>`;
  const bySection = new Map<SectionId, Finding[]>();
  for (const f of m.findings) {
    const s = sectionOf(f);
    bySection.set(s, [...(bySection.get(s) ?? []), f]);
  }
  const out: string[] = [];
  out.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(c.title)} — Watchkeeper case report</title>`,
    `<style>${REPORT_CSS}</style></head><body>`,
    `<header class="cover"><div class="org">Watchkeeper · sanctions monitoring case report</div><h1>${esc(c.title)}</h1>`,
    `<div class="muted">Case ${esc(c.id)} · status ${esc(c.status)} · generated ${esc(isoToSeconds(data.generatedAt))} · ${m.findings.length} finding(s), ${m.entities.length} entit${m.entities.length === 1 ? 'y' : 'ies'}, ${m.addresses.length} address(es), ${evidence.length} evidence record(s)</div>`,
    `<div class="muted mono">Evidence digest (sha256): ${data.digest}</div></header>`,
  );

  // I. Summary
  let part = 0;
  out.push(`<section id="summary"><h2>${ROMAN[part++]}. Summary</h2>`);
  if (c.summary) out.push(p(esc(c.summary)));
  const present = SECTIONS.filter((s) => bySection.has(s.id));
  out.push(
    p(
      `This case rests on ${m.findings.length} finding(s)` +
        (present.length ? `, in the sections: ${present.map((s) => esc(s.title.toLowerCase())).join('; ')}` : '') +
        `. It names ${m.entities.length} entit${m.entities.length === 1 ? 'y' : 'ies'}, ` +
        `${[...data.sanctions.values()].filter((s) => s.length > 0).length} of them subject to sanctions recorded in the loaded lists. ` +
        'Every statement below cites the records in annex I; the parameters that produced each finding are in annex II.',
    ),
  );
  const top = [...m.findings].sort((a, b) => b.score - a.score).slice(0, 5);
  if (top.length) {
    out.push(
      '<ul>',
      ...top.map(
        (f) =>
          `<li><b>${findingRef(fIndex, f.id)}</b> <span class="sev-${severityOf(f.score)}">[${severityOf(f.score)} ${f.score.toFixed(2)}]</span> ${esc(isoToSeconds(f.explanation))}</li>`,
      ),
      '</ul>',
    );
  }
  for (const n of m.notes) out.push(p(`<i>Investigator's note (${esc(n.addedAt.slice(0, 10))}):</i> ${esc(n.text)}`));
  if (m.missing.length)
    out.push(p(`<span class="missing">Items no longer in the store: ${esc(m.missing.join(', '))}.</span>`));
  out.push('</section>');

  // II. Maritime, III. Finance and cyber, IV. other
  const parts: Array<{ id: 'maritime' | 'finance' | 'other'; title: string }> = [
    { id: 'maritime', title: 'Maritime' },
    { id: 'finance', title: 'Finance and cyber' },
    { id: 'other', title: 'Other findings' },
  ];
  let figure = 0;
  for (const pt of parts) {
    const secs = SECTIONS.filter((s) => s.part === pt.id && bySection.has(s.id));
    const hasAddresses = pt.id === 'finance' && m.addresses.length > 0;
    if (secs.length === 0 && !hasAddresses && pt.id === 'other') continue;
    out.push(`<section id="${pt.id}"><h2>${ROMAN[part++]}. ${pt.title}</h2>`);
    if (secs.length === 0 && !hasAddresses)
      out.push(p('<span class="muted">The case holds no findings in this area.</span>'));
    secs.forEach((s, si) => {
      const fs = bySection.get(s.id)!;
      out.push(`<h3 id="section-${s.id}">${LETTERS[si]}. ${esc(s.title)}</h3>`, p(esc(s.intro)));
      const symbols = fs
        .filter((f) => f.geometry)
        .map((f) => ({ geometry: f.geometry!, label: findingRef(fIndex, f.id), style: symbolStyle(f.kind) }));
      const svg = renderSvgMap(symbols, { title: s.title });
      if (svg) {
        figure++;
        out.push(
          `<figure>${svg}<figcaption>Figure ${figure}: ${esc(s.title)}: where the findings ${esc(symbols.map((x) => x.label).join(', '))} took place (Natural Earth 1:50m land; dashed lines are AIS dark periods).</figcaption></figure>`,
        );
      }
      out.push(
        '<table><thead><tr><th>Ref.</th><th>Start (UTC)</th><th>End (UTC)</th><th>Kind</th><th>Vessels / subjects</th><th>Score</th><th>Red flags</th></tr></thead><tbody>',
        ...fs.map(
          (f) =>
            `<tr><td>${findingRef(fIndex, f.id)}</td><td>${esc(isoToSeconds(f.start))}</td><td>${esc(isoToSeconds(f.end ?? ''))}</td><td>${esc(f.kind)}</td><td class="cjk">${esc(vesselLabel(f))}</td><td class="sev-${severityOf(f.score)}">${f.score.toFixed(2)}</td><td>${esc(f.redFlags.join(', '))}</td></tr>`,
        ),
        '</tbody></table>',
      );
      for (const f of fs) {
        const flags = f.redFlags
          .map((code) => (RED_FLAGS as Record<string, { title: string }>)[code]?.title ?? code)
          .join('; ');
        out.push(
          p(
            `<b>${findingRef(fIndex, f.id)}.</b> ${esc(isoToSeconds(f.explanation))}` +
              (flags ? ` Red flags: ${esc(flags)}.` : '') +
              esc(evidenceRefsFor(evidence, f.id)),
          ),
        );
      }
    });
    if (hasAddresses) {
      out.push(
        '<h3>Virtual asset addresses under review</h3>',
        '<table><thead><tr><th>Address</th><th>Known as</th><th>Sources</th></tr></thead><tbody>',
        ...m.addresses.map(
          (a) =>
            `<tr><td class="mono">${esc(a.address)}</td><td>${esc(a.entity ? a.entity.caption() : 'not in the store')}</td><td>${esc(a.entity ? [...a.entity.datasets].join(', ') : '')}</td></tr>`,
        ),
        '</tbody></table>',
      );
    }
    out.push('</section>');
  }

  // Entities
  out.push(`<section id="entities"><h2>${ROMAN[part++]}. Designated and related entities</h2>`);
  if (m.entities.length === 0) out.push(p('<span class="muted">The case names no entities.</span>'));
  else {
    out.push(
      '<table><thead><tr><th>Entity</th><th>Type</th><th>Names (all scripts)</th><th>Identifiers</th><th>Sanctions</th><th>Sources</th></tr></thead><tbody>',
      ...m.entities.map((e) => {
        const ids = ['imoNumber', 'mmsi', 'callSign', 'registrationNumber', 'idNumber', 'passportNumber', 'publicKey']
          .flatMap((prop) => e.get(prop).map((v) => `${prop} ${v}`))
          .join('; ');
        const sanc = (data.sanctions.get(e.id) ?? [])
          .map((s) =>
            [s.first('authority'), s.first('program'), s.first('listingDate') ?? s.first('startDate')]
              .filter(Boolean)
              .join(', '),
          )
          .join('; ');
        const referents = [...new Set(e.statements.map((s) => s.entityId))].filter((r) => r !== e.id).sort();
        const merged = referents.length
          ? `<br><span class="muted">one entity of ${esc(referents.join(', '))}</span>`
          : '';
        return `<tr><td class="mono">${esc(e.id)}${merged}</td><td>${esc(e.schema)}</td><td class="cjk">${esc(names(e).join('; '))}</td><td>${esc(ids)}</td><td>${esc(sanc || (e.get('topics').includes('sanction') ? 'listed (topic: sanction)' : ''))}</td><td>${esc([...e.datasets].join(', '))}${esc(evidenceRefsFor(evidence, e.id))}</td></tr>`;
      }),
      '</tbody></table>',
    );
  }
  out.push('</section>');

  // Annex I: evidence
  out.push(
    '<section id="annex-evidence"><h2>Annex I. Evidence</h2>',
    p(
      'Each record cited in this report, with its source, the reference of the record inside the source and its sha256. ' +
        'AIS positions cite the file they were imported from as file:line with the sha256 of the whole file (as recorded ' +
        'when it was imported) and quote the raw sentence(s) read back from that file, with the tag block station and ' +
        'time when present; a file that has since changed or moved is said so and not quoted.',
    ),
  );
  if (evidence.length === 0) out.push(p('<span class="muted">No evidence records.</span>'));
  else {
    out.push(
      '<table><thead><tr><th>Ref.</th><th>Cited by</th><th>Source</th><th>Record</th><th>sha256</th><th>Description</th></tr></thead><tbody>',
      ...evidence.map(
        (e) =>
          `<tr><td>${e.ref}</td><td class="mono">${esc(fIndex.has(e.citedBy) ? `${findingRef(fIndex, e.citedBy)} ${e.citedBy}` : e.citedBy)}</td><td>${esc(e.source)}</td><td class="mono">${esc(e.record)}</td><td class="mono">${esc(e.contentHash ?? '—')}</td><td class="cjk">${esc(isoToSeconds(e.description))}${rawCell(e)}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  out.push('</section>');

  // Annex II: parameters
  out.push('<section id="annex-params"><h2>Annex II. Findings: parameters and measured values</h2>');
  if (m.findings.length === 0) out.push(p('<span class="muted">No findings.</span>'));
  for (const f of m.findings) {
    const rows = [
      ['id', f.id],
      ['kind', f.kind],
      ['subjects', f.subjects.join(', ')],
      ['start / end', `${isoToSeconds(f.start)} / ${isoToSeconds(f.end ?? '')}`],
      ['score', f.score.toFixed(3)],
      ['geometry', f.geometry ? summariseGeometry(f.geometry) : ''],
      ...Object.entries(f.params).map(([k, v]) => [`param ${k}`, cleanValue(v)]),
      ...Object.entries(f.details ?? {}).map(([k, v]) => [`detail ${k}`, cleanValue(v)]),
    ];
    out.push(
      `<h3>${findingRef(fIndex, f.id)}</h3><table><tbody>`,
      ...rows.map(([k, v]) => `<tr><th style="width:25%">${esc(k)}</th><td class="mono">${esc(v)}</td></tr>`),
      '</tbody></table>',
    );
  }
  out.push('</section>');

  // Annex III: provenance
  out.push('<section id="annex-entities"><h2>Annex III. Entity statements and their provenance</h2>');
  const provEntities = [...m.entities, ...m.addresses.flatMap((a) => (a.entity ? [a.entity] : []))];
  if (provEntities.length === 0) out.push(p('<span class="muted">No entities.</span>'));
  for (const e of provEntities) {
    out.push(
      `<h3 class="cjk">${esc(e.caption())} <span class="muted mono">${esc(e.id)}</span></h3>`,
      '<table><thead><tr><th>Property</th><th>Value</th><th>Source</th><th>Version</th><th>Record</th><th>Seen</th></tr></thead><tbody>',
      ...e.statements.map(
        (s) =>
          `<tr><td>${esc(s.prop)}</td><td class="cjk">${esc(s.value)}</td><td>${esc(s.source)}</td><td class="mono">${esc(s.versionId ?? '')}</td><td class="mono">${esc(s.sourceRecord)}</td><td>${esc(s.seenAt.slice(0, 10))}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  out.push(
    '</section>',
    `<footer>Generated by Watchkeeper from the store at ${esc(isoToSeconds(data.generatedAt))}. Findings are leads for investigation, not determinations; each rests on the records listed in annex I.</footer>`,
    '</body></html>',
  );
  return out.join('\n');
}

export async function renderCaseHtml(store: Store, caseId: string): Promise<string> {
  return renderReportHtml(await buildReportData(store, caseId));
}
