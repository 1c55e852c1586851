/**
 * Clean text for a report that reads like a Panel annex: times in UTC to the minute, draughts to 0.1 m, no float
 * artefacts, and identifiers (MMSI, entity and finding ids) kept out of the prose: a vessel is named, its MMSI goes
 * to the identity annex. Pure functions over strings, shared by every report section.
 */
import { cleanNumber } from '../annex-format.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function toDate(t: string | number): Date | undefined {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** `2024-03-03 05:10 UTC` (seconds dropped, not rounded: the minute the event was in). */
export function utcMinute(t: string | number | undefined | null): string {
  if (t === undefined || t === null || t === '') return '';
  const d = toDate(t);
  return d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : String(t);
}

/** `3 March 2024` */
export function longDate(t: string | number): string {
  const d = toDate(t);
  return d ? `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}` : String(t);
}

/** `3 March 2024 at 05:10 UTC` */
export function longDateTime(t: string | number): string {
  const d = toDate(t);
  return d ? `${longDate(t)} at ${d.toISOString().slice(11, 16)} UTC` : String(t);
}

/** A duration in hours and minutes: `17 h 36 min`. */
export function hoursMinutes(ms: number): string {
  const min = Math.round(ms / 60_000);
  const h = Math.floor(min / 60);
  const m = min % 60;
  return h ? `${h} h${m ? ` ${m} min` : ''}` : `${m} min`;
}

/** A draught (or any length in metres) to 0.1 m: a REAL column's 9.800000190734863 is `9.8 m`. */
export function metres(v: number): string {
  return `${(Math.round(v * 10) / 10).toFixed(1)} m`;
}

const ISO_TIME = /\b(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?)?Z\b/g;
/** A float with 7+ decimals (float32/64 artefact), optionally followed by a unit. */
const FLOAT_ARTEFACT = /\b(\d+\.\d{5,})(\s*m\b)?/g;

/** Names to use for vessels and entities in prose instead of their ids. */
export interface ProseNames {
  /** MMSI → vessel name (as broadcast or listed). */
  vessels: Map<number, string>;
  /** Entity id → caption. */
  entities: Map<string, string>;
}

/**
 * Report prose from a detector's explanation: ISO times to the minute, float artefacts rounded (lengths in metres
 * to 0.1 m), `MMSI 354771206` replaced by the vessel's name where known, and entity ids in parentheses removed
 * (the name is already there; the id is in the annexes).
 */
export function cleanProse(text: string, names?: ProseNames): string {
  let s = text.replace(ISO_TIME, (_m, day: string, hm: string) => `${day} ${hm} UTC`);
  s = s.replace(FLOAT_ARTEFACT, (_m, num: string, unit?: string) =>
    unit ? metres(Number(num)) : cleanNumber(Number(Number(num).toFixed(3))),
  );
  if (names) {
    s = s.replace(/\b(?:the )?(?:AIS vessel )?MMSI (\d{9})\b/g, (m, mmsi: string) => {
      const name = names.vessels.get(Number(mmsi));
      return name ? name : m;
    });
    // Once MMSIs are names, "YU JONG 2 matches sanctioned vessel YU JONG 2" says it twice.
    s = s.replace(/\b([A-Z0-9][A-Z0-9 .'-]*?) matches sanctioned vessel \1\b/g, '$1 matches its sanctions list entry');
    s = s.replace(/\s*\(([a-z][a-z0-9]*(?:-[a-z0-9]+)+)\)/g, (m, id: string) =>
      names.entities.has(id) || /^(ofac|un|eu-fsf|gb-ofsi|ais|wallet|f)-/.test(id) ? '' : m,
    );
  }
  return s;
}
