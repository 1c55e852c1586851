/**
 * Schedules: "run detection every 30 s", "update the lists every 6 h". Time is cut into slots of the period; the
 * job of a slot is `<kind>@<slot start, ISO>`, enqueued once by whichever worker sees the slot first (the id is the
 * table's key). A worker that was down for hours enqueues the current slot only: detection and list updates are
 * incremental, so catching up every missed slot would only repeat work.
 */
import { UserError } from '../errors.js';
import type { Db } from '../store/db.js';
import { enqueueJob } from './jobs.js';

export interface Schedule {
  kind: string;
  everyMs: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "250ms", "30s", "5m", "6h", "1d" (or a bare number of seconds) → milliseconds; "off" / "0" → 0. */
export function parseDuration(text: string, what: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(t);
  if (!m) throw new UserError(`${what}: "${text}" is not a duration (e.g. 500ms, 30s, 5m, 6h, 1d, or off)`);
  const ms = Number(m[1]) * UNITS[m[2] ?? 's']!;
  if (!Number.isFinite(ms) || ms < 1) throw new UserError(`${what}: "${text}" is too short`);
  return Math.round(ms);
}

/** The id of the job of the slot `nowMs` falls in. */
export function slotJobId(s: Schedule, nowMs: number): { id: string; slotMs: number } {
  const slotMs = Math.floor(nowMs / s.everyMs) * s.everyMs;
  return { id: `${s.kind}@${new Date(slotMs).toISOString()}`, slotMs };
}

/** Enqueue the current slot's job of every schedule that is on; returns the ids newly enqueued. */
export async function enqueueDue(db: Db, schedules: readonly Schedule[], nowMs = Date.now()): Promise<string[]> {
  const out: string[] = [];
  for (const s of schedules) {
    if (s.everyMs <= 0) continue;
    const { id, slotMs } = slotJobId(s, nowMs);
    if (await enqueueJob(db, { id, kind: s.kind, runAfterMs: slotMs })) out.push(id);
  }
  return out;
}
