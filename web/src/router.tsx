import { type MouseEvent, type ReactNode, useEffect, useState } from 'react';

/**
 * A small History-API router. The whole view state lives in the URL (path + query), so every view can be shared
 * and reloaded: pages read it with useRoute() and write it with navigate() / setQuery().
 */
export interface Route {
  path: string;
  segments: string[];
  query: URLSearchParams;
}

function current(): Route {
  const path = window.location.pathname;
  return {
    path,
    segments: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(window.location.search),
  };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.scrollTo?.(0, 0);
  for (const l of listeners) l();
}

/** Merge query parameters into the current URL (undefined/empty removes one). Replaces history by default. */
export function setQuery(
  patch: Record<string, string | number | undefined | null>,
  opts: { push?: boolean } = {},
): void {
  const q = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === null || v === '') q.delete(k);
    else q.set(k, String(v));
  }
  const s = q.toString();
  navigate(`${window.location.pathname}${s ? `?${s}` : ''}`, { replace: !opts.push });
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const l = () => setRoute(current());
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return route;
}

export function href(path: string, query?: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function Link(props: { to: string; children: ReactNode; className?: string; title?: string; testId?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} onClick={onClick} className={props.className} title={props.title} data-testid={props.testId}>
      {props.children}
    </a>
  );
}
