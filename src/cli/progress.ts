/**
 * Progress of long CLI phases, on stderr. Shown only when stderr is a terminal, or with the global `--progress`
 * (for logs of long jobs); otherwise nothing is written until the phase's one-line summary, so pipes and captured
 * output stay clean. A phase shows nothing during its first second. With a known size the line carries the
 * percentage and an estimate of the time left; without one, the count and rate, or just the time elapsed.
 */

export interface Progress {
  /** `done` items (of `total` when known) so far. Cheap: call it as often as you like. */
  tick(done: number, total?: number): void;
  /**
   * Start a step of the phase (`reading`, `writing`, ...) counted in `unit`: the line names it, and the rate and the
   * time left are those of the step (counting restarts at 0).
   */
  step(name: string, unit?: ProgressUnit): void;
  /** End the phase: clear the progress line and print `label: summary in N s`. */
  done(summary: string): void;
  /** End the phase without a summary line (e.g. when an error ends it). */
  stop(): void;
}

/** What `done` counts: items (printed as numbers) or bytes (printed in kB/MB/GB). */
export type ProgressUnit = 'items' | 'bytes';

let forced = false;

/** Set from the global options before each command runs. */
export function setProgress(opts: { forced: boolean }): void {
  forced = opts.forced;
}

export function progressEnabled(): boolean {
  return forced || process.stderr.isTTY === true;
}

/** Wait this long before the first progress line: phases shorter than this show only their summary. */
const QUIET_MS = 1000;

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Bytes for people: 512 B, 1.5 kB, 3.9 MB, 1.20 GB (SI units, as `ls -h --si`). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** The progress line for `done` of `total` after `elapsedMs` (exported for tests). */
export function progressLine(
  label: string,
  done: number | undefined,
  total: number | undefined,
  elapsedMs: number,
  unit: ProgressUnit = 'items',
) {
  const elapsedS = elapsedMs / 1000;
  if (done === undefined) return `${label}: ${elapsedS.toFixed(1)} s`;
  const fmt = unit === 'bytes' ? formatBytes : (n: number) => n.toLocaleString('en-US');
  const rate = done / Math.max(0.001, elapsedS);
  let line = `${label}: ${fmt(done)}`;
  if (total !== undefined && total > 0) {
    const pct = Math.min(100, (100 * done) / total);
    line += `/${fmt(total)} ${pct.toFixed(1)}%`;
    if (done > 0 && done < total) line += ` ETA ${formatDuration((total - done) / rate)}`;
  }
  return `${line} (${fmt(Math.round(rate))}/s, ${elapsedS.toFixed(0)} s)`;
}

/** The phase drawing now: one line at a time, so a new phase ends the one before (whether or not it was ended). */
let current: { end(): void; drawn(): boolean } | undefined;

/**
 * Write one line of information to stderr while a phase may be drawing: on a terminal the progress line is cleared
 * first (and redrawn below on its next beat), so the two never run together.
 */
export function note(line: string): void {
  if (current?.drawn() && process.stderr.isTTY === true) process.stderr.write('\r\u001b[K');
  process.stderr.write(`${line}\n`);
}

/** End whatever phase is drawing (the CLI calls it when a command ends, also on errors). */
export function stopProgress(): void {
  current?.end();
}

export function progress(label: string): Progress {
  stopProgress();
  const enabled = progressEnabled();
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let done: number | undefined;
  let total: number | undefined;
  let stepName = '';
  let stepStarted = started;
  let unit: ProgressUnit = 'items';
  let shown = false;
  let lastDraw = 0;
  const draw = () => {
    const now = Date.now();
    if (now - started < QUIET_MS) return;
    // On a terminal the line is redrawn in place 4 times a second; in a log, one line every 5 s.
    if (now - lastDraw < (tty ? 250 : 5000)) return;
    lastDraw = now;
    shown = true;
    const line = progressLine(stepName ? `${label} ${stepName}` : label, done, total, now - stepStarted, unit);
    process.stderr.write(tty ? `\r${line}\u001b[K` : `${line}\n`);
  };
  // Phases without ticks (or between far-apart ticks) still show they are alive.
  const timer = enabled ? setInterval(draw, 250) : undefined;
  timer?.unref();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    if (timer) clearInterval(timer);
    if (shown && tty) process.stderr.write('\r\u001b[K');
    if (current === self) current = undefined;
  };
  const self = { end, drawn: () => shown };
  current = self;
  return {
    tick(n: number, t?: number) {
      done = n;
      if (t !== undefined) total = t;
      if (enabled && !ended) draw();
    },
    step(name: string, u: ProgressUnit = 'items') {
      stepName = name;
      unit = u;
      stepStarted = Date.now();
      done = undefined;
      total = undefined;
    },
    done(summary: string) {
      end();
      process.stderr.write(`${label}: ${summary} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
    stop: end,
  };
}

/** Run `fn` as a phase: progress while it runs, `label: summary in N s` after (no summary: nothing). */
export async function phase<T>(label: string, fn: (p: Progress) => Promise<T>, summary?: (r: T) => string): Promise<T> {
  const p = progress(label);
  try {
    const r = await fn(p);
    if (summary) p.done(summary(r));
    else p.stop();
    return r;
  } catch (err) {
    p.stop();
    throw err;
  }
}
