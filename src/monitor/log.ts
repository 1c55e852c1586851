/**
 * Structured logs of the worker: one JSON object per line (`{"ts", "level", "event", ...fields}`), on stdout by
 * default, so a log shipper (journald, Docker, Loki, ...) can index them without a parser.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, string | number | boolean | null | undefined | object>;

export type Logger = (level: LogLevel, event: string, fields?: LogFields) => void;

export function jsonLogger(opts: { level?: LogLevel; write?: (line: string) => void; base?: LogFields } = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stdout.write(line));
  return (level, event, fields = {}) => {
    if (ORDER[level] < min) return;
    const rec: LogFields = { ts: new Date().toISOString(), level, event, ...opts.base, ...fields };
    write(`${JSON.stringify(rec, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
  };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = () => {};
