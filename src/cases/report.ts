import { createHash } from 'node:crypto';
import { listRecordKey } from '../evidence/list-raw.js';
import { type Finding, severityOf } from '../findings/finding.js';
import { kindLabel } from '../findings/kinds.js';
import { redFlag } from '../findings/red-flags.js';
import { loadPorts } from '../maritime/geo/ports.js';
import { STS_HOTSPOTS } from '../maritime/geo/zones.js';
import type { Entity } from '../model/entity.js';
import type { ListVersion, Store } from '../store/store.js';
import { cleanValue, summariseGeometry } from './annex-format.js';
import { getCase } from './cases.js';
import { buildEvidenceList, type CaseMaterial, loadCaseMaterial } from './evidence.js';
import { type CaseCargo, caseCargo, renderCargoSection } from './report/cargo.js';
import { asReference, Footnotes, redFlagCitations } from './report/citations.js';
import { cleanProse, hoursMinutes, longDate, longDateTime, type ProseNames, utcMinute } from './report/format.js';
import {
  type Designation,
  designationsOf,
  type HullIdentity,
  hullIdentities,
  isCjk,
  listLabel,
  nameWithScripts,
  type SanctionsMemo,
  sanctionsMemoised,
} from './report/identity.js';
import { loadAttachments, type ReportAttachment } from './report/imagery.js';
import { AIS_LIMITS, assumptions, parameterRows } from './report/methodology.js';
import { renderTimelineSvg, type TimelineItem } from './report/timeline.js';
import { type EncounterTracks, encounterTracks } from './report/tracks.js';
import { SECTIONS, type SectionId, sectionOf, symbolStyle } from './sections.js';
import { renderSvgMap, renderTrackMap } from './svg-map.js';
import type { CaseRecord, EvidenceEntry } from './types.js';

/**
 * A case as a report structured the way the UN Panel of Experts on the DPRK writes an annex: a summary, contents,
 * methodology and limitations, the findings in chronological order with a timeline and maps, footnotes citing the
 * resolutions, the advisory and the list entries each statement rests on, and annexes: the evidence (every record
 * with its file, line, sha256 and raw sentence), the identity of each hull, the parameters of each finding, the
 * imagery and the entity statements. One self-contained HTML string (inline CSS, SVG and images, no external
 * requests); the PDF is that HTML printed by headless Chromium.
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
  /** Identity of every hull the case names (annex II). */
  hulls: HullIdentity[];
  /** Both vessels' tracks around each encounter (figures). */
  encounters: EncounterTracks[];
  attachments: ReportAttachment[];
  /** List versions current in the store (methodology, footnotes). */
  lists: ListVersion[];
  /** List entries designating each case entity (footnotes). */
  entityDesignations: Map<string, Designation[]>;
  /** Cargo estimates of the case's port calls, encounters and dark periods (report/cargo.ts). */
  cargo?: CaseCargo[];
}

/** At most this many encounters get their own track figures (the rest are on the overview map). */
const MAX_ENCOUNTER_FIGURES = 6;

export async function buildReportData(store: Store, caseId: string, generatedAt = new Date()): Promise<ReportData> {
  const c = await getCase(store, caseId);
  const material = await loadCaseMaterial(store, c);
  material.findings.sort((a, b) => a.start.localeCompare(b.start) || a.kind.localeCompare(b.kind));
  const evidence = buildEvidenceList(c, material);
  // Sanctions of each entity read once for the entity table, the identity annex and the footnotes.
  const memo: SanctionsMemo = new Map();
  const sanctions = new Map<string, Entity[]>();
  for (const e of material.entities) {
    sanctions.set(e.id, await sanctionsMemoised(store, e, memo));
  }
  const digest = createHash('sha256')
    .update(evidence.map((e) => `${e.ref}\t${e.citedBy}\t${e.source}\t${e.record}\t${e.contentHash ?? ''}`).join('\n'))
    .digest('hex');
  const hulls = await hullIdentities(store, material.findings, material.entities, memo);
  const names = vesselNames(material.findings, hulls);
  const lists = await store.currentVersions();
  const versions = new Map(lists.map((v) => [v.id, v]));
  const entityDesignations = new Map<string, Designation[]>();
  for (const e of material.entities) entityDesignations.set(e.id, await designationsOf(store, e, versions, memo));
  const encounters: EncounterTracks[] = [];
  for (const f of material.findings.filter((x) => x.kind === 'ais.encounter').slice(0, MAX_ENCOUNTER_FIGURES)) {
    const t = await encounterTracks(store, f, material.findings, names);
    if (t) encounters.push(t);
  }
  return {
    case: c,
    material,
    evidence,
    sanctions,
    generatedAt: generatedAt.toISOString(),
    digest,
    hulls,
    encounters,
    attachments: await loadAttachments(store.db, c.id),
    lists,
    entityDesignations,
    cargo: await caseCargo(store, material.findings),
  };
}

/** MMSI → the name the report uses: the hull's current name, else the name the finding recorded. */
function vesselNames(findings: Finding[], hulls: HullIdentity[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const h of hulls) for (const m of h.mmsis) out.set(m, h.name);
  for (const f of findings) for (const v of f.vessels ?? []) if (!out.has(v.mmsi) && v.name) out.set(v.mmsi, v.name);
  return out;
}

function esc(v: unknown): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Escaped text with runs of Korean or Chinese wrapped for the CJK font. */
function escCjk(v: unknown): string {
  const s = String(v ?? '');
  if (!isCjk(s)) return esc(s);
  return s
    .split(
      /([\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u3400-\u4dbf\u4e00-\u9fff][\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u3400-\u4dbf\u4e00-\u9fff\s]*)/,
    )
    .map((part, i) => (i % 2 ? `<span class="cjk" lang="ko">${esc(part)}</span>` : esc(part)))
    .join('');
}

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'];

export const REPORT_CSS = `
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
body { font-family: 'Times New Roman', 'Liberation Serif', 'DejaVu Serif', 'Noto Serif CJK KR', 'Noto Sans CJK KR', 'Noto Sans CJK SC', serif; font-size: 11pt; line-height: 1.4; color: #111; max-width: 190mm; margin: 0 auto; }
.cjk, td, th { font-family: 'Liberation Sans', 'DejaVu Sans', 'Noto Sans CJK KR', 'Noto Sans CJK SC', sans-serif; }
span.cjk { font-family: 'Noto Sans CJK KR', 'Noto Sans CJK SC', sans-serif; }
header.cover { border-bottom: 2px solid #1a3d6d; margin-bottom: 1.5em; padding-bottom: .5em; }
header.cover .org { font-variant: small-caps; letter-spacing: .05em; color: #1a3d6d; }
h1 { font-size: 18pt; margin: .3em 0; } h2 { font-size: 14pt; color: #1a3d6d; margin-top: 1.6em; page-break-after: avoid; }
h3 { font-size: 12pt; margin-top: 1.2em; page-break-after: avoid; }
section.annex { page-break-before: always; }
p.para { margin: .5em 0; } p.para .n { display: inline-block; min-width: 2.2em; }
nav.toc ol { margin: .3em 0 .3em 1.2em; padding: 0; list-style: none; } nav.toc a { color: #111; text-decoration: none; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: 8.5pt; page-break-inside: auto; }
th, td { border: 1px solid #999; padding: 3px 5px; vertical-align: top; text-align: left; word-break: break-word; }
th { background: #e8eef6; } tr { page-break-inside: avoid; }
table.identity th[scope=row] { white-space: nowrap; }
td:first-child, th:first-child { word-break: normal; }
figure { margin: .8em 0; page-break-inside: avoid; } figcaption { font-size: 9pt; color: #333; }
figure img { max-width: 100%; max-height: 150mm; border: 1px solid #999; }
svg.map, svg.timeline { max-width: 100%; height: auto; border: 1px solid #999; }
.sev-high { color: #b00020; font-weight: bold; } .sev-medium { color: #b35c00; } .sev-low { color: #555; }
.mono { font-family: 'DejaVu Sans Mono', monospace; font-size: 7.5pt; word-break: break-all; }
.muted { color: #555; } .missing { color: #b00020; }
sup.fn { font-size: 7pt; } sup.fn a { color: #1a3d6d; text-decoration: none; }
ol.footnotes { font-size: 8.5pt; padding-left: 2em; } ol.footnotes li { margin: .15em 0; }
footer { margin-top: 2em; border-top: 1px solid #999; font-size: 8pt; color: #555; }
`;

function evidenceRefs(evidence: EvidenceEntry[], citedBy: string): string[] {
  return evidence.filter((e) => e.citedBy === citedBy).map((e) => e.ref);
}

/** The raw line(s) of an evidence entry (an AIS sentence or a list record), or why they cannot be quoted. */
function rawCell(e: EvidenceEntry): string {
  if (!e.raw) return '';
  // A position's description already ends with why it is not quoted: say it once.
  if (e.raw.status !== 'verified' && e.description.endsWith(e.raw.message)) return '';
  return rawQuote(e.raw);
}

function rawQuote(raw: NonNullable<EvidenceEntry['raw']>): string {
  if (raw.status !== 'verified') return `<div class="missing">${esc(raw.message)}</div>`;
  const span = `${raw.file} line ${raw.line}${raw.lines.length > 1 && !raw.format ? `-${raw.line + raw.lines.length - 1}` : ''}`;
  if (raw.format) {
    // A list record: its ids in the file, the file's sha256, and whether the quote is cut.
    const cut = /quoted in part \(([^)]*)\)/.exec(raw.message)?.[1];
    return (
      `<div class="mono raw">${raw.lines.map((l) => escCjk(l)).join('<br>')}</div>` +
      `<div class="muted">${esc(`${span}${raw.ids ? ` (${raw.ids})` : ''}; file sha256 ${raw.sha256}; read back, sha256 verified${cut ? `; quoted in part, ${cut}` : ''}`)}</div>`
    );
  }
  const tag = [raw.station ? `station ${raw.station}` : '', raw.tagTime ? `tag time ${raw.tagTime}` : '']
    .filter(Boolean)
    .join(', ');
  return (
    `<div class="mono raw">${raw.lines.map((l) => esc(l)).join('<br>')}</div>` +
    `<div class="muted">${esc(`${span}${tag ? `; ${tag}` : ''}; read back, sha256 verified`)}</div>`
  );
}

function names(e: Entity): string[] {
  return [...new Set([...e.get('name'), ...e.get('alias'), ...e.get('weakAlias'), ...e.get('previousName')])];
}

/** The footnote text for a list entry: list, reference, name, listing date and the list version read. */
function designationNote(d: HullIdentity['designations'][number]): string {
  return [
    `${d.list}, entry ${d.reference} (${d.name})`,
    d.listed ? `listed ${longDate(d.listed)}` : '',
    d.programme ? `programme ${d.programme}` : '',
    d.version
      ? `list version of ${longDate(d.version.fetchedAt)} (${d.version.id}, file sha256 ${d.version.sha256})`
      : '',
    d.sourceRecord ? `record ${d.sourceRecord}` : '',
  ]
    .filter(Boolean)
    .join('; ')
    .concat('.');
}

interface TimelineRow {
  f: Finding;
  ref: string;
  lanes: string[];
}

function findingLanes(f: Finding, vnames: Map<number, string>, entityNames: Map<string, string>): string[] {
  if (f.vessels?.length) return f.vessels.map((v) => vnames.get(v.mmsi) ?? v.name ?? `MMSI ${v.mmsi}`);
  const mmsi = f.details?.mmsi;
  if (typeof mmsi === 'number' && vnames.has(mmsi)) return [vnames.get(mmsi)!];
  const own = f.subjects.map((s) => {
    const m = /^ais-(\d+)$/.exec(s);
    return m ? vnames.get(Number(m[1])) : entityNames.get(s);
  });
  const named = own.filter((x): x is string => !!x);
  return named.length ? [named[0]!] : [kindLabel(f.kind)];
}

function timelineStyle(kind: string): TimelineItem['style'] {
  const s = symbolStyle(kind);
  if (s === 'other') return kind === 'ais.identity_change' ? 'identity' : 'other';
  return s;
}

export function renderReportHtml(data: ReportData): string {
  const { case: c, material: m, evidence } = data;
  const findings = m.findings; // chronological (buildReportData sorts them)
  const fIndex = new Map(findings.map((f, i) => [f.id, i + 1]));
  const ref = (id: string): string => `F-${fIndex.get(id) ?? '?'}`;
  const vnames = vesselNames(findings, data.hulls);
  const entityNames = new Map<string, string>();
  for (const e of m.entities) entityNames.set(e.id, e.caption());
  const proseNames: ProseNames = { vessels: vnames, entities: entityNames };
  const prose = (s: string): string => cleanProse(s, proseNames);
  const notes = new Footnotes();
  const itemNote = new Map<string, string>();
  for (const it of data.case.items) if (it.kind === 'finding' && it.note) itemNote.set(it.ref, it.note);
  const caseRefs = m.notes.map((n) => asReference(n.text)).filter((x): x is string => !!x);

  let para = 0;
  const p = (html: string): string => `<p class="para"><span class="n">${++para}.</span>${html}</p>`;
  let figure = 0;
  const fig = (svgOrImg: string, caption: string): string =>
    `<figure>${svgOrImg}<figcaption><b>Figure ${++figure}.</b> ${caption}</figcaption></figure>`;

  const chapters = [
    { id: 'summary', title: 'Summary' },
    { id: 'methodology', title: 'Methodology and limitations' },
    { id: 'findings', title: 'Findings in chronological order' },
    { id: 'entities', title: 'Designated and related entities' },
    { id: 'notes', title: 'Notes' },
  ];
  const annexes = [
    { id: 'annex-evidence', title: 'Annex I. Evidence' },
    { id: 'annex-identity', title: 'Annex II. Vessel identity' },
    { id: 'annex-params', title: 'Annex III. Findings: parameters and measured values' },
    { id: 'annex-imagery', title: 'Annex IV. Imagery and documents' },
    { id: 'annex-entities', title: 'Annex V. Entity statements and their provenance' },
  ];
  const h2 = (id: string): string => {
    const i = chapters.findIndex((x) => x.id === id);
    return `<h2 id="${id}">${ROMAN[i]}. ${esc(chapters[i]!.title)}</h2>`;
  };

  // The body is built first (footnotes are numbered as they are cited), then put together with the cover.
  const body: string[] = [];

  // I. Summary
  const listedHulls = data.hulls.filter((h) => h.designations.some((d) => !d.name.endsWith('(owner or manager)')));
  body.push(`<section id="s-summary">${h2('summary')}`);
  if (c.summary) body.push(p(escCjk(c.summary)));
  const span =
    findings.length > 0
      ? ` between ${longDateTime(findings[0]!.start)} and ${longDateTime(
          findings
            .map((f) => f.end ?? f.start)
            .sort()
            .pop()!,
        )}`
      : '';
  body.push(
    p(
      `This report sets out ${findings.length} finding(s)${esc(span)}` +
        (data.hulls.length
          ? ` concerning the vessels ${data.hulls.map((h) => `<b>${escCjk(h.name)}</b>${h.scripts.length ? ` (${escCjk(h.scripts.join('; '))})` : ''}`).join(', ')}`
          : '') +
        (listedHulls.length
          ? `, of which ${listedHulls.map((h) => escCjk(h.name)).join(', ')} ${listedHulls.length === 1 ? 'is' : 'are'} designated on a loaded sanctions list${notes.mark(listedHulls.flatMap((h) => h.designations.filter((d) => !d.name.endsWith('(owner or manager)')).map(designationNote)))}`
          : '') +
        `. It names ${m.entities.length} entit${m.entities.length === 1 ? 'y' : 'ies'}${m.entities.length ? ` (${m.entities.map((e) => escCjk(nameWithScripts(e))).join('; ')})` : ''} and ${m.addresses.length} virtual asset address(es). Every statement cites the records in annex I; the identity of each hull is in annex II and the parameters that produced each finding in annex III.`,
    ),
  );
  const top = [...findings].sort((a, b) => b.score - a.score).slice(0, 5);
  if (top.length) {
    body.push(
      '<ul>',
      ...top.map(
        (f) =>
          `<li><b>${ref(f.id)}</b> (${esc(utcMinute(f.start))}) <span class="sev-${severityOf(f.score)}">[${severityOf(f.score)}]</span> ${escCjk(prose(f.explanation))}</li>`,
      ),
      '</ul>',
    );
  }
  for (const n of m.notes) {
    const r = asReference(n.text);
    if (r) continue;
    body.push(p(`<i>Investigator's note (${esc(longDate(n.addedAt))}):</i> ${escCjk(n.text)}`));
  }
  if (caseRefs.length)
    body.push(
      p(
        `The investigator relies in addition on earlier reporting.${notes.mark(caseRefs.map((r) => `${r}.`.replace(/\.\.$/, '.')))}`,
      ),
    );
  if (m.missing.length)
    body.push(p(`<span class="missing">Items no longer in the store: ${esc(m.missing.join(', '))}.</span>`));
  body.push('</section>');

  // II. Methodology and limitations
  body.push(`<section id="s-methodology">${h2('methodology')}`, '<h3>What AIS can and cannot show</h3>');
  for (const t of AIS_LIMITS) body.push(p(esc(t)));
  body.push('<h3>Detector parameters used</h3>');
  const prm = parameterRows(findings, ref);
  if (prm.length) {
    body.push(
      p(
        'Each finding records the parameters it was produced with; the values below are those recorded, not the defaults (per-finding values in annex III).',
      ),
      '<table><thead><tr><th>Detector</th><th>Parameter</th><th>Value(s) used</th></tr></thead><tbody>',
      ...prm.map(
        (r) => `<tr><td>${esc(r.kind)}</td><td class="mono">${esc(r.param)}</td><td>${esc(r.values)}</td></tr>`,
      ),
      '</tbody></table>',
    );
  } else body.push(p('<span class="muted">The case holds no findings.</span>'));
  body.push('<h3>Cargo and identity assumptions</h3>');
  for (const t of assumptions([...findings, ...(data.cargo ?? []).map((x) => x.estimate)])) body.push(p(esc(t)));
  body.push('<h3>Sources</h3>');
  const imports = new Map<string, { file: string; sha256: string }>();
  for (const e of evidence)
    if (e.raw && e.kind === 'finding-evidence') imports.set(e.raw.file, { file: e.raw.file, sha256: e.raw.sha256 });
  body.push(
    p(
      `AIS: ${imports.size ? [...imports.values()].map((i) => `${esc(i.file)} (sha256 <span class="mono">${i.sha256}</span>)`).join('; ') : 'no AIS file cited'}. ` +
        `Sanctions lists: ${data.lists.length ? data.lists.map((v) => `${esc(listLabel(v.source))} of ${esc(longDate(v.fetchedAt))} (sha256 <span class="mono">${v.sha256}</span>)`).join('; ') : 'none loaded'}. ` +
        'Coastlines: Natural Earth 1:10m, 1:50m and 1:110m land (public domain), via world-atlas 2.0.2.',
    ),
    '</section>',
  );

  // III. Findings in chronological order
  body.push(`<section id="s-findings">${h2('findings')}`);
  if (findings.length === 0) body.push(p('<span class="muted">The case holds no findings.</span>'));
  else {
    const rows: TimelineRow[] = findings.map((f) => ({
      f,
      ref: ref(f.id),
      lanes: findingLanes(f, vnames, entityNames),
    }));
    const items: TimelineItem[] = rows.flatMap((r) =>
      r.lanes.map((lane) => ({
        ref: r.ref,
        lane,
        startMs: Date.parse(r.f.start),
        endMs: r.f.end ? Date.parse(r.f.end) : undefined,
        style: timelineStyle(r.f.kind),
      })),
    );
    body.push(
      '<h3 id="chronology">A. Chronology</h3>',
      fig(
        renderTimelineSvg(items),
        `Chronology of the findings, one lane per vessel or subject (UTC). Bars run from start to end; diamonds mark findings without duration; dashed bars are AIS dark periods.`,
      ),
      '<table class="chronology"><thead><tr><th>Ref.</th><th>Start (UTC)</th><th>End (UTC)</th><th>What</th><th>Vessels / subjects</th><th>Area</th></tr></thead><tbody>',
      ...rows.map(
        (r) =>
          `<tr><td>${r.ref}</td><td>${esc(utcMinute(r.f.start))}</td><td>${esc(utcMinute(r.f.end))}</td><td>${esc(kindLabel(r.f.kind))}</td><td>${escCjk(r.lanes.join('; '))}</td><td>${esc(SECTIONS.find((s) => s.id === sectionOf(r.f))?.title ?? '')}</td></tr>`,
      ),
      '</tbody></table>',
    );
    // Maps: each encounter with both tracks, then its meeting site zoomed; then the findings overview.
    const ports = loadPorts().map((q) => ({ name: q.name, lat: q.lat, lon: q.lon }));
    const zones = STS_HOTSPOTS.map((z) => ({ name: z.name, ring: z.ring }));
    // Imagery footprints, numbered as in annex IV.
    const footprints = data.attachments.flatMap((a, i) =>
      a.bounds ? [{ label: `image ${i + 1} (annex IV)`, bounds: a.bounds }] : [],
    );
    if (data.encounters.length || findings.some((f) => f.geometry)) body.push('<h3 id="maps">B. Maps</h3>');
    for (const enc of data.encounters) {
      const f = enc.finding;
      const pos = f.details?.position as { lat?: number; lon?: number } | undefined;
      const site =
        pos && typeof pos.lat === 'number' && typeof pos.lon === 'number'
          ? { name: `${ref(f.id)} meeting site`, lat: pos.lat, lon: pos.lon }
          : undefined;
      const who = enc.tracks.map((t) => t.label).join(' and ');
      if (enc.tracks.every((t) => t.fixes.length === 0)) continue;
      body.push(
        fig(
          renderTrackMap({
            tracks: enc.tracks,
            gaps: enc.gaps,
            period: enc.window,
            site,
            ports,
            zones,
            footprints,
            height: 560,
            timeLabels: 5,
            title: `${ref(f.id)} tracks`,
          }),
          `${escCjk(who)}: AIS tracks from ${esc(utcMinute(Math.min(...enc.tracks.flatMap((t) => t.fixes.slice(0, 1).map((x) => x.ts)))))} to ${esc(utcMinute(Math.max(...enc.tracks.flatMap((t) => t.fixes.slice(-1).map((x) => x.ts)))))}, before (thin), during (thick) and after (dotted) the meeting of ${ref(f.id)} (${esc(utcMinute(f.start))} to ${esc(utcMinute(f.end))}). Labels give fix times (day/month hh:mm UTC). ${enc.gaps.length ? `Dark periods are drawn as dashed lines between the last fix before and the first fix after (${enc.gaps.map((g) => `${escCjk(g.label)}: ${esc(hoursMinutes(g.to.ts - g.from.ts))}`).join('; ')}). ` : ''}${footprints.length ? 'Orange boxes are the footprints of the attached images. ' : ''}Natural Earth land; ports from the World Port Index; zones as named in Panel reports.`,
        ),
      );
      // The meeting site zoomed on the fixes of the meeting itself (the approach runs off the frame), at 1:10m.
      const during = enc.meeting.flatMap((t) =>
        t.fixes.filter((x) => x.ts >= enc.window.startMs && x.ts <= enc.window.endMs),
      );
      if (during.length) {
        const lons = during.map((q) => q.lon);
        const lats = during.map((q) => q.lat);
        const cx = (Math.min(...lons) + Math.max(...lons)) / 2;
        const cy = (Math.min(...lats) + Math.max(...lats)) / 2;
        const half = Math.max(
          0.02,
          ((Math.max(...lons) - Math.min(...lons)) / 2) * 1.3,
          ((Math.max(...lats) - Math.min(...lats)) / 2) * 1.3,
        );
        body.push(
          fig(
            renderTrackMap({
              tracks: enc.meeting,
              period: enc.window,
              site,
              ports,
              extent: [cx - half, cy - half * 0.75, cx + half, cy + half * 0.75],
              height: 400,
              timeLabels: 8,
              title: `${ref(f.id)} meeting site`,
            }),
            `The meeting site of ${ref(f.id)} zoomed: ${escCjk(who)} during the meeting (thick) and in the hour before (thin) and after (dotted); every fix is drawn (median separation ${esc(cleanValue(f.details?.medianDistanceM ?? ''))} m). Natural Earth 1:10m land where in view.`,
          ),
        );
      }
    }
    const symbols = findings
      .filter((f) => f.geometry)
      .map((f) => ({ geometry: f.geometry!, label: ref(f.id), style: symbolStyle(f.kind) }));
    const overview = renderSvgMap(symbols, { title: 'Findings' });
    if (overview)
      body.push(
        fig(
          overview,
          `Where the findings took place (${esc(symbols.map((s) => s.label).join(', '))}); dashed lines are AIS dark periods. Natural Earth 1:50m land.`,
        ),
      );
    body.push('<h3 id="narrative">C. Findings</h3>');
    for (const f of findings) {
      const flags = f.redFlags.map((code) => {
        const title = redFlag(code)?.title ?? code;
        let cites = redFlagCitations(code);
        if (code === 'SANCTIONS_LIST_MATCH' || code === 'CONTACT_WITH_SANCTIONED_VESSEL') {
          const mm = new Set((f.vessels ?? []).map((v) => v.mmsi));
          const hulls = data.hulls.filter((h) => h.mmsis.some((x) => mm.has(x)));
          cites = [
            ...cites,
            ...hulls.flatMap((h) =>
              h.designations.filter((d) => !d.name.endsWith('(owner or manager)')).map(designationNote),
            ),
          ];
        }
        return `${esc(title)}${notes.mark(cites)}`;
      });
      const userRef = itemNote.get(f.id);
      const userCite = userRef ? (asReference(userRef) ?? `Investigator's note: ${userRef}`) : undefined;
      const ev = evidenceRefs(evidence, f.id);
      const when = f.end ? `From ${utcMinute(f.start)} to ${utcMinute(f.end)}` : `On ${utcMinute(f.start)}`;
      body.push(
        p(
          `<b>${ref(f.id)}. ${esc(kindLabel(f.kind))}.</b> ${esc(when)}: ${escCjk(prose(f.explanation))}` +
            (userCite ? notes.mark([userCite.endsWith('.') ? userCite : `${userCite}.`]) : '') +
            (flags.length ? ` Red flags: ${flags.join('; ')}.` : '') +
            (ev.length ? ` Evidence: annex I, ${ev.join(', ')}.` : ''),
        ),
      );
    }
    // Findings by area, in the sections of a Panel report.
    const byArea = new Map<SectionId, string[]>();
    for (const f of findings) byArea.set(sectionOf(f), [...(byArea.get(sectionOf(f)) ?? []), ref(f.id)]);
    body.push(
      '<h3 id="areas">D. Findings by area</h3>',
      '<table><thead><tr><th>Area</th><th>Findings</th></tr></thead><tbody>',
      ...SECTIONS.filter((s) => byArea.has(s.id)).map(
        (s) => `<tr><td>${esc(s.title)}</td><td>${esc(byArea.get(s.id)!.join(', '))}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  body.push(...renderCargoSection(data.cargo ?? [], { ref, para: p, esc, heading: 'E. Cargo estimates' }));
  if (m.addresses.length) {
    body.push(
      '<h3>Virtual asset addresses under review</h3>',
      '<table><thead><tr><th>Address</th><th>Known as</th><th>Sources</th></tr></thead><tbody>',
      ...m.addresses.map(
        (a) =>
          `<tr><td class="mono">${esc(a.address)}</td><td>${escCjk(a.entity ? a.entity.caption() : 'not in the store')}</td><td>${esc(a.entity ? [...a.entity.datasets].join(', ') : '')}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  body.push('</section>');

  // IV. Entities
  body.push(`<section id="s-entities">${h2('entities')}`);
  if (m.entities.length === 0) body.push(p('<span class="muted">The case names no entities.</span>'));
  else {
    body.push(
      '<table><colgroup><col style="width:13%"><col style="width:9%"><col style="width:34%"><col style="width:16%"><col style="width:16%"><col style="width:12%"></colgroup><thead><tr><th>Entity</th><th>Type</th><th>Names (all scripts)</th><th>Identifiers</th><th>Sanctions</th><th>Sources</th></tr></thead><tbody>',
      ...m.entities.map((e) => {
        const ids = ['imoNumber', 'mmsi', 'callSign', 'registrationNumber', 'idNumber', 'passportNumber', 'publicKey']
          .flatMap((prop) => e.get(prop).map((v) => `${prop} ${v}`))
          .join('; ');
        const sancs = data.sanctions.get(e.id) ?? [];
        const sanc = sancs
          .map((s) =>
            [
              s.first('authority'),
              s.first('program') ?? s.first('programId'),
              s.first('listingDate') ?? s.first('startDate'),
            ]
              .filter(Boolean)
              .join(', '),
          )
          .join('; ');
        const cite = notes.mark((data.entityDesignations.get(e.id) ?? []).map(designationNote));
        const er = evidenceRefs(evidence, e.id);
        const referents = [...new Set(e.statements.map((s) => s.entityId))].filter((r) => r !== e.id).sort();
        const merged = referents.length
          ? `<br><span class="muted">one entity of ${esc(referents.join(', '))}</span>`
          : '';
        return `<tr><td class="mono">${esc(e.id)}${merged}</td><td>${esc(e.schema)}</td><td>${escCjk(names(e).join('; '))}</td><td>${esc(ids)}</td><td>${esc(sanc || (e.get('topics').includes('sanction') ? 'listed (topic: sanction)' : ''))}${cite}</td><td>${esc([...e.datasets].join(', '))}${er.length ? ` (annex I: ${esc(er.join(', '))})` : ''}</td></tr>`;
      }),
      '</tbody></table>',
    );
  }
  body.push('</section>');

  // Annex I: evidence
  const annex: string[] = [];
  annex.push(
    '<section id="annex-evidence" class="annex"><h2>Annex I. Evidence</h2>',
    p(
      'Each record cited in this report, with its source, the reference of the record inside the source and its sha256. ' +
        'AIS positions cite the file they were imported from as file:line with the sha256 of the whole file (as recorded ' +
        'when it was imported) and quote the raw sentence(s) read back from that file, with the tag block station and ' +
        "time when present. List entries cite the list file as file:line with the record's ids in the file and quote " +
        'the record read back from it (its first lines). A file that has since changed or moved is said so and not ' +
        'quoted. Check with ' +
        '<span class="mono">sha256sum FILE</span> and <span class="mono">sed -n LINEp FILE</span>.',
    ),
  );
  if (evidence.length === 0) annex.push(p('<span class="muted">No evidence records.</span>'));
  else {
    annex.push(
      '<table><colgroup><col style="width:6%"><col style="width:6%"><col style="width:14%"><col style="width:14%"><col style="width:16%"><col></colgroup><thead><tr><th>Ref.</th><th>Cited by</th><th>Source</th><th>Record</th><th>sha256</th><th>Description</th></tr></thead><tbody>',
      ...evidence.map(
        (e) =>
          `<tr><td>${e.ref}</td><td class="mono">${esc(fIndex.has(e.citedBy) ? ref(e.citedBy) : e.citedBy)}</td><td>${esc(e.source)}</td><td class="mono">${esc(e.record)}</td><td class="mono">${esc(e.contentHash ?? '—')}</td><td>${escCjk(cleanProse(e.description))}${rawCell(e)}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  annex.push('</section>');

  // Annex II: vessel identity
  annex.push('<section id="annex-identity" class="annex"><h2>Annex II. Vessel identity</h2>');
  if (data.hulls.length === 0) annex.push(p('<span class="muted">The case names no vessels.</span>'));
  data.hulls.forEach((h, i) => {
    annex.push(
      `<h3 class="cjk">${String.fromCharCode(65 + (i % 26))}. ${escCjk(h.name)}${h.scripts.length ? ` ${escCjk(h.scripts.join('; '))}` : ''}${h.imo ? ` (IMO ${h.imo})` : ''}</h3>`,
      `<table class="identity"><colgroup><col style="width:18%"><col style="width:40%"><col style="width:20%"><col style="width:22%"></colgroup><thead><tr><th>Item</th><th>Value</th><th>Source</th><th>Dates</th></tr></thead><tbody>`,
      ...h.rows.map(
        (r) =>
          `<tr><th scope="row">${esc(r.label)}</th><td>${escCjk(r.value)}</td><td>${esc(r.source)}</td><td>${esc(r.dates)}</td></tr>`,
      ),
      ...h.owners.map(
        (o) =>
          `<tr><th scope="row">${esc(o.role.charAt(0).toUpperCase() + o.role.slice(1))}</th><td>${escCjk(o.name)}</td><td>${esc(o.source)}</td><td>${esc(o.dates)}</td></tr>`,
      ),
      ...(h.owners.length === 0
        ? [
            '<tr><th scope="row">Owners and managers</th><td colspan="3" class="muted">none known to the loaded sources</td></tr>',
          ]
        : []),
      ...h.designations.map(
        (d) =>
          `<tr><th scope="row">Designation</th><td>${escCjk(`${d.list}: ${d.name}, reference ${d.reference}`)}${notes.mark([designationNote(d)])}</td><td>${esc(d.version ? d.version.id : d.list)}</td><td>${esc(d.listed ? `listed ${longDate(d.listed)}` : '')}</td></tr>`,
      ),
      ...h.notListedIn.map(
        (l) =>
          `<tr><th scope="row">Designation</th><td class="muted">not named in this list version</td><td>${esc(l)}</td><td></td></tr>`,
      ),
      '</tbody></table>',
    );
  });
  annex.push('</section>');

  // Annex III: parameters
  annex.push('<section id="annex-params" class="annex"><h2>Annex III. Findings: parameters and measured values</h2>');
  if (findings.length === 0) annex.push(p('<span class="muted">No findings.</span>'));
  for (const f of findings) {
    const rows = [
      ['id', f.id],
      ['kind', `${kindLabel(f.kind)} (${f.kind})`],
      ['subjects', f.subjects.join(', ')],
      ['start / end', `${utcMinute(f.start)} / ${utcMinute(f.end)}`],
      ['score', f.score.toFixed(2)],
      ['geometry', f.geometry ? summariseGeometry(f.geometry) : ''],
      ...Object.entries(f.params).map(([k, v]) => [`param ${k}`, cleanValue(v)]),
      ...Object.entries(f.details ?? {}).map(([k, v]) => [`detail ${k}`, cleanProse(cleanValue(v))]),
    ];
    annex.push(
      `<h3>${ref(f.id)}</h3><table><tbody>`,
      ...rows.map(([k, v]) => `<tr><th style="width:25%">${esc(k)}</th><td class="mono">${escCjk(v)}</td></tr>`),
      '</tbody></table>',
    );
  }
  annex.push('</section>');

  // Annex IV: imagery
  annex.push('<section id="annex-imagery" class="annex"><h2>Annex IV. Imagery and documents</h2>');
  if (data.attachments.length === 0)
    annex.push(p('<span class="muted">No imagery or documents are attached to the case.</span>'));
  for (const a of data.attachments) {
    const meta = [
      a.source ? `Source: ${a.source}` : '',
      a.date ? `date ${a.date}` : '',
      a.licence ? `licence ${a.licence}` : '',
      a.widthPx && a.heightPx ? `${a.widthPx} × ${a.heightPx} px` : '',
      a.bounds ? `footprint ${a.bounds.map((x) => cleanValue(x)).join(', ')} (W, S, E, N)` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const caption = `${escCjk(a.caption || a.fileName)}. ${escCjk(meta)}. File ${esc(a.fileName)} (${esc(a.mediaType)}), sha256 <span class="mono">${a.sha256}</span>.${a.problem ? ` <span class="missing">${esc(a.problem)}</span>` : ''}`;
    const n = data.attachments.indexOf(a) + 1;
    if (a.dataUrl) annex.push(fig(`<img src="${a.dataUrl}" alt="${esc(a.caption)}">`, `Image ${n}. ${caption}`));
    else annex.push(p(`Attachment ${n}. ${caption}`));
  }
  annex.push('</section>');

  // Annex V: provenance
  annex.push('<section id="annex-entities" class="annex"><h2>Annex V. Entity statements and their provenance</h2>');
  const provEntities = [...m.entities, ...m.addresses.flatMap((a) => (a.entity ? [a.entity] : []))];
  if (provEntities.length === 0) annex.push(p('<span class="muted">No entities.</span>'));
  for (const e of provEntities) {
    annex.push(
      `<h3>${escCjk(nameWithScripts(e))} <span class="muted mono">${esc(e.id)}</span></h3>`,
      '<table><thead><tr><th>Property</th><th>Value</th><th>Source</th><th>Version</th><th>Record</th><th>Seen</th></tr></thead><tbody>',
      ...e.statements.map(
        (s) =>
          `<tr><td>${esc(s.prop)}</td><td>${escCjk(s.value)}</td><td>${esc(s.source)}</td><td class="mono">${esc(s.versionId ?? '')}</td><td class="mono">${esc(s.sourceRecord)}</td><td>${esc(s.seenAt.slice(0, 10))}</td></tr>`,
      ),
      '</tbody></table>',
    );
    // The records these statements came from, quoted from the list files.
    const recs = new Map<string, NonNullable<EvidenceEntry['raw']>>();
    for (const s of e.statements) {
      const r = s.versionId ? m.listRecords?.get(listRecordKey(s.versionId, s.sourceRecord)) : undefined;
      if (r) recs.set(listRecordKey(s.versionId!, s.sourceRecord), r);
    }
    if (recs.size)
      annex.push(
        '<table class="records"><thead><tr><th>Record in the list file</th></tr></thead><tbody>',
        ...[...recs.values()].map((r) => `<tr><td>${rawQuote(r)}</td></tr>`),
        '</tbody></table>',
      );
  }
  annex.push('</section>');

  const out: string[] = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(c.title)} — Watchkeeper case report</title>`,
    `<style>${REPORT_CSS}</style></head><body>`,
    `<header class="cover"><div class="org">Watchkeeper · sanctions monitoring case report</div><h1>${escCjk(c.title)}</h1>`,
    `<div class="muted">Case ${esc(c.id)} · status ${esc(c.status)} · generated ${esc(utcMinute(data.generatedAt))} · ${findings.length} finding(s), ${m.entities.length} entit${m.entities.length === 1 ? 'y' : 'ies'}, ${m.addresses.length} address(es), ${evidence.length} evidence record(s), ${data.attachments.length} attachment(s)</div>`,
    `<div class="muted mono">Evidence digest (sha256): ${data.digest}</div></header>`,
    '<nav class="toc" id="contents"><h2>Contents</h2><ol>',
    ...chapters.map((x, i) => `<li><a href="#${x.id}">${ROMAN[i]}. ${esc(x.title)}</a></li>`),
    '</ol><ol>',
    ...annexes.map((x) => `<li><a href="#${x.id}">${esc(x.title)}</a></li>`),
    '</ol></nav>',
    ...body,
    `<section id="s-notes">${h2('notes')}`,
    notes.size ? notes.html() : p('<span class="muted">No notes.</span>'),
    '</section>',
    ...annex,
    `<footer>Generated by Watchkeeper from the store at ${esc(utcMinute(data.generatedAt))}. Findings are leads for investigation, not determinations; each rests on the records listed in annex I.</footer>`,
    '</body></html>',
  ];
  return out.join('\n');
}

export async function renderCaseHtml(store: Store, caseId: string): Promise<string> {
  return renderReportHtml(await buildReportData(store, caseId));
}
