import type { CapYear } from './cap.js';

/** The cap tracker as a text chart: one bar per scenario, its total against the cap (the cap at the bar's end). */
export function capChart(y: CapYear, width = 40): string {
  const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
  const top = Math.max(y.capBbl, ...y.scenarios.map((s) => s.totalBbl));
  const capAt = Math.round((y.capBbl / top) * width);
  const nameW = Math.max(...y.scenarios.map((s) => s.name.length));
  const lines = [`${y.year}: refined petroleum delivered to the DPRK vs the ${fmt(y.capBbl)}-barrel cap`];
  for (const s of y.scenarios) {
    const n = Math.round((s.totalBbl / top) * width);
    let bar = '';
    for (let i = 0; i < Math.max(width, capAt + 1); i++) bar += i === capAt ? '|' : i < n ? '█' : '·';
    const pct = ((s.totalBbl / y.capBbl) * 100).toFixed(1);
    lines.push(
      `  ${s.name.padEnd(nameW)} ${bar} ${fmt(s.totalBbl)} bbl (${pct} %)${s.crossedOn ? ` over the cap on ${s.crossedOn.slice(0, 10)}` : ''}`,
    );
  }
  return lines.join('\n');
}
