/**
 * The chronology figure: one lane per vessel (or other subject), each finding a bar from its start to its end (a
 * diamond when it has no end), labelled with its reference, over a UTC time axis with day ticks. Inline SVG.
 */

export interface TimelineItem {
  ref: string;
  lane: string;
  startMs: number;
  endMs?: number;
  /** 'gap' bars are hatched (dark periods), 'encounter' bars are orange. */
  style: 'gap' | 'encounter' | 'port' | 'zone' | 'loiter' | 'identity' | 'other';
}

const COLOURS: Record<TimelineItem['style'], string> = {
  gap: '#b00020',
  encounter: '#d35400',
  port: '#00695c',
  zone: '#6a1b9a',
  loiter: '#1565c0',
  identity: '#8d6e00',
  other: '#455a64',
};

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderTimelineSvg(items: TimelineItem[], opts: { width?: number } = {}): string {
  if (items.length === 0) return '';
  const width = opts.width ?? 680;
  const lanes = [...new Set(items.map((i) => i.lane))];
  const laneH = 34;
  const left = 130;
  const right = 16;
  const top = 10;
  const axisH = 34;
  const height = top + lanes.length * laneH + axisH;
  let t0 = Math.min(...items.map((i) => i.startMs));
  let t1 = Math.max(...items.map((i) => i.endMs ?? i.startMs));
  if (t1 - t0 < 3_600_000) {
    t0 -= 1_800_000;
    t1 += 1_800_000;
  }
  const pad = (t1 - t0) * 0.03;
  t0 -= pad;
  t1 += pad;
  const x = (t: number): number => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  const f = (n: number): string => n.toFixed(1);
  const out: string[] = [];
  // Day ticks (or 6-hourly ticks when the span is under two days).
  const day = 86_400_000;
  const span = t1 - t0;
  const step = span <= 2 * day ? 6 * 3_600_000 : span <= 20 * day ? day : span <= 120 * day ? 7 * day : 30 * day;
  const axisY = top + lanes.length * laneH;
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const iso = new Date(t).toISOString();
    const label = step < day ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
    out.push(
      `<line x1="${f(x(t))}" y1="${top}" x2="${f(x(t))}" y2="${axisY + 4}" stroke="#ccd6e0" stroke-width="0.6"/>`,
      `<text x="${f(x(t))}" y="${axisY + 16}" font-size="9" text-anchor="middle" fill="#333">${label}</text>`,
    );
  }
  out.push(
    `<line x1="${left}" y1="${axisY}" x2="${width - right}" y2="${axisY}" stroke="#333" stroke-width="0.8"/>`,
    `<text x="${width - right}" y="${axisY + 29}" font-size="9" text-anchor="end" fill="#555">time (UTC)</text>`,
  );
  lanes.forEach((lane, li) => {
    const y = top + li * laneH;
    out.push(
      `<rect x="0" y="${y}" width="${width}" height="${laneH}" fill="${li % 2 ? '#ffffff' : '#f4f7fa'}"/>`,
      `<text x="6" y="${y + laneH / 2 + 4}" font-size="10" font-weight="bold" fill="#111" class="cjk">${esc(lane.length > 22 ? `${lane.slice(0, 21)}…` : lane)}</text>`,
    );
  });
  // Items: bars in lane order; labels staggered so neighbours do not collide.
  const sorted = [...items].sort((a, b) => a.startMs - b.startMs);
  const lastLabelEnd = new Map<string, number>();
  for (const it of sorted) {
    const li = lanes.indexOf(it.lane);
    const y = top + li * laneH;
    const c = COLOURS[it.style];
    const x0 = x(it.startMs);
    let labelX = x0;
    if (it.endMs !== undefined && it.endMs > it.startMs) {
      const w = Math.max(2, x(it.endMs) - x0);
      out.push(
        `<rect x="${f(x0)}" y="${y + 9}" width="${f(w)}" height="10" fill="${c}" fill-opacity="${it.style === 'gap' ? 0.25 : 0.8}" stroke="${c}"${it.style === 'gap' ? ' stroke-dasharray="3 2"' : ''}/>`,
      );
      labelX = x0 + w / 2;
    } else {
      out.push(
        `<path d="M${f(x0)},${y + 8}L${f(x0 + 6)},${y + 14}L${f(x0)},${y + 20}L${f(x0 - 6)},${y + 14}Z" fill="${c}"/>`,
      );
    }
    const prev = lastLabelEnd.get(it.lane) ?? -1;
    const row = labelX - 12 < prev ? 1 : 0;
    out.push(
      `<text x="${f(labelX)}" y="${y + (row ? 7 : 30)}" font-size="8.5" text-anchor="middle" fill="${c}" font-weight="bold">${esc(it.ref)}</text>`,
    );
    if (!row) lastLabelEnd.set(it.lane, labelX + 14);
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Chronology">` +
    out.join('') +
    '</svg>'
  );
}
