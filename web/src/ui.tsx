import { type DependencyList, type ReactNode, useCallback, useEffect, useState } from 'react';
import type { Finding } from '../../src/findings/finding.js';
import { kindLabel, severityOf } from '../../src/findings/kinds.js';
import { ApiError } from './api.js';
import { Link } from './router.js';

/** Shared UI pieces: data loading with clear error and empty states, severity badges, finding rows. */

export type Loadable<T> = { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ok'; data: T };

export function useLoad<T>(fn: (signal: AbortSignal) => Promise<T>, deps: DependencyList): [Loadable<T>, () => void] {
  const [value, setValue] = useState<Loadable<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what the loader depends on
  useEffect(() => {
    const ctl = new AbortController();
    setValue({ state: 'loading' });
    fn(ctl.signal).then(
      (data) => !ctl.signal.aborted && setValue({ state: 'ok', data }),
      (error: Error) => !ctl.signal.aborted && setValue({ state: 'error', error }),
    );
    return () => ctl.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return [value, reload];
}

export function describeError(error: Error): string {
  if (error instanceof ApiError) {
    if (error.status === 404) return `Not found: ${error.message}`;
    if (error.status === 0) return error.message;
    if (error.status >= 500) return `The server failed (${error.status}): ${error.message}`;
    return `The request was refused (${error.status}): ${error.message}`;
  }
  return error.message || String(error);
}

export function ErrorBox({ error, title }: { error: Error; title?: string }) {
  return (
    <div className="msg error" role="alert" data-testid="error">
      <strong>{title ?? 'Could not load this view.'}</strong> {describeError(error)}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <div className="msg empty" data-testid="empty">
      {children}
    </div>
  );
}

export function Loading({ what }: { what?: string }) {
  return (
    <div className="msg loading" data-testid="loading">
      Loading{what ? ` ${what}` : ''}…
    </div>
  );
}

/** Render a Loadable: spinner, error box, or the content. */
export function Show<T>({
  value,
  what,
  children,
}: {
  value: Loadable<T>;
  what?: string;
  children: (data: T) => ReactNode;
}) {
  if (value.state === 'loading') return <Loading what={what} />;
  if (value.state === 'error') return <ErrorBox error={value.error} />;
  return <>{children(value.data)}</>;
}

/** Severity bands and kind labels come from the one module the server uses too (src/findings/kinds.ts). */
export { kindLabel };

export function Sev({ score }: { score: number }) {
  const s = severityOf(score);
  return (
    <span className={`sev sev-${s}`} title={`score ${score.toFixed(2)}`}>
      {s} {score.toFixed(2)}
    </span>
  );
}

export function fmtTime(iso: string | undefined | null): string {
  if (!iso) return '';
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z');
}

export function subjectLink(id: string): string {
  if (/^ais-\d{9}$/.test(id)) return `/vessel/${encodeURIComponent(id)}`;
  return `/entity/${encodeURIComponent(id)}`;
}

export function FindingTable({ findings, empty }: { findings: Finding[]; empty?: string }) {
  if (findings.length === 0) return <Empty>{empty ?? 'No findings.'}</Empty>;
  return (
    <table className="grid" data-testid="findings">
      <thead>
        <tr>
          <th>Start (UTC)</th>
          <th>Kind</th>
          <th>Severity</th>
          <th>Subjects</th>
          <th>Explanation</th>
        </tr>
      </thead>
      <tbody>
        {findings.map((f) => (
          <tr key={f.id} data-kind={f.kind}>
            <td className="nowrap">{fmtTime(f.start)}</td>
            <td>
              <Link to={`/finding/${encodeURIComponent(f.id)}`} testId="finding-link">
                {kindLabel(f.kind)}
              </Link>
            </td>
            <td>
              <Sev score={f.score} />
            </td>
            <td>
              {(f.vessels?.length
                ? f.vessels.map((v) => ({ id: `ais-${v.mmsi}`, label: v.name ?? String(v.mmsi) }))
                : f.subjects.map((s) => ({ id: s, label: s }))
              ).map((s) => (
                <Link key={s.id} to={subjectLink(s.id)} className="chip">
                  {s.label}
                </Link>
              ))}
            </td>
            <td>{f.explanation}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A form's outcome, shown by Notice. */
export type Outcome = { ok: boolean; text: string } | null;

/**
 * Run a change, then `reload` the page's data; the outcome (`ok` text or the error) goes to `msg` for a Notice.
 */
export function useAction(reload: () => void) {
  const [msg, setMsg] = useState<Outcome>(null);
  const act = async (fn: () => Promise<unknown>, ok: string) => {
    try {
      await fn();
      setMsg({ ok: true, text: ok });
      reload();
    } catch (err) {
      setMsg({ ok: false, text: describeError(err as Error) });
    }
  };
  return { msg, act };
}

/** The outcome of a form: a status line when it worked, an alert when it did not. */
export function Notice({ msg, testId, children }: { msg: Outcome; testId?: string; children?: ReactNode }) {
  if (!msg) return null;
  return (
    <div className={`msg ${msg.ok ? 'ok' : 'error'}`} role={msg.ok ? 'status' : 'alert'} data-testid={testId}>
      {msg.text}
      {children}
    </div>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="card" id={id}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/**
 * A dashed box that takes dropped files and opens the file chooser when clicked (`children` is its text). Used by
 * the case attachments and the imports page.
 */
export function DropZone({
  testId,
  inputTestId,
  accept,
  multiple,
  onFiles,
  children,
}: {
  testId: string;
  inputTestId: string;
  accept: string;
  multiple: boolean;
  /** The dropped or chosen files (a copy: the chooser is cleared after, so the same file can be chosen again). */
  onFiles: (files: File[]) => void;
  children?: ReactNode;
}) {
  const [over, setOver] = useState(false);
  return (
    <label
      className={`dropzone${over ? ' over' : ''}`}
      style={{
        display: 'block',
        padding: '1.2em',
        border: `2px dashed ${over ? '#36c' : '#aaa'}`,
        textAlign: 'center',
        cursor: 'pointer',
      }}
      data-testid={testId}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        onFiles(Array.from(e.dataTransfer.files));
      }}
    >
      {children}
      <input
        type="file"
        hidden
        multiple={multiple}
        accept={accept}
        data-testid={inputTestId}
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          if (files.length > 0) onFiles(files);
        }}
      />
    </label>
  );
}
