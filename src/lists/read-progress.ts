import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';

/**
 * How far this process has read a set of files, whoever reads them (the list parsers open and read their files
 * themselves): the offset of each file's open descriptor, from /proc/self/fdinfo (Linux). A file seen open and
 * then closed counts as read to its end. Elsewhere, or before a file is opened, it counts 0.
 */
export class FileReadWatch {
  private readonly paths: string[];
  private readonly sizes: number[];
  private readonly seen: Array<number | undefined>;
  readonly totalBytes: number;

  constructor(files: string[]) {
    this.paths = files.map((f) => {
      try {
        return realpathSync(f);
      } catch {
        return f;
      }
    });
    this.sizes = files.map((f) => {
      try {
        return statSync(f).size;
      } catch {
        return 0;
      }
    });
    this.seen = files.map(() => undefined);
    this.totalBytes = this.sizes.reduce((a, b) => a + b, 0);
  }

  /** Whether this system shows the offsets of open files (/proc/self/fdinfo, Linux). */
  static supported(): boolean {
    return existsSync('/proc/self/fdinfo');
  }

  /** Bytes read so far, summed over the files (at most their sizes). */
  bytesRead(): number {
    const open = openOffsets(this.paths);
    let sum = 0;
    for (let k = 0; k < this.paths.length; k++) {
      const pos = open.get(this.paths[k]!);
      const size = this.sizes[k]!;
      if (pos !== undefined) this.seen[k] = Math.max(this.seen[k] ?? 0, Math.min(pos, size));
      else if (this.seen[k] !== undefined) this.seen[k] = size; // opened before, closed now: read
      sum += this.seen[k] ?? 0;
    }
    return sum;
  }

  /**
   * Call `onBytes(read, total)` every `everyMs` until the returned function is called (the timer does not keep the
   * process alive).
   */
  poll(onBytes: (read: number, total: number) => void, everyMs = 250): () => void {
    const timer = setInterval(() => onBytes(this.bytesRead(), this.totalBytes), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}

/** Offsets of this process's open descriptors on `paths` (the furthest when a path is open twice). */
function openOffsets(paths: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (!paths.includes(target)) continue;
      const m = /^pos:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
      if (m) out.set(target, Math.max(out.get(target) ?? 0, Number(m[1])));
    } catch {
      // closed between the listing and the read
    }
  }
  return out;
}
