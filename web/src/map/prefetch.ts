import { api, type CallOptions, type EndpointName, type Responses, urlFor } from '../api.js';

/**
 * The map page's two requests (tracks overview, located findings) for a URL's query, and a way to send them before
 * the page's code has loaded: App.tsx calls prefetchMap() when the app opens on /map, so the data and the map's
 * chunk travel together instead of one after the other. Light on purpose: this module is in the first script.
 */

/** The whole extent is loaded thinned for this zoom (the demo's Yellow Sea at 900 px is zoom 6.4). */
export const OVERVIEW_ZOOM = 6;

export function mapRequests(q: URLSearchParams) {
  const mmsiParam = q.get('mmsi') ?? '';
  const kindParam = q.get('kind') ?? '';
  const mmsi = mmsiParam
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  return {
    mmsiParam,
    kindParam,
    mmsi,
    tracks: { mmsi: mmsi.length ? mmsi : undefined, zoom: OVERVIEW_ZOOM },
    findings: {
      kind: kindParam ? kindParam.split(',') : undefined,
      subject: mmsi.length === 1 ? `ais-${mmsi[0]}` : undefined,
      limit: 1000,
    },
  };
}

const early = new Map<string, Promise<Response>>();

export function prefetchMap(q: URLSearchParams): void {
  const r = mapRequests(q);
  for (const url of [urlFor('trackColumns', { query: r.tracks }), urlFor('findings', { query: r.findings })]) {
    const res = fetch(url);
    res.catch(() => {}); // a failure is handled when the page asks (it then calls the API itself)
    early.set(url, res);
  }
}

/** api(), answered from a request prefetchMap() already sent for the same URL when there is one (used once). */
export async function apiEarly<N extends EndpointName>(name: N, opts: CallOptions<N>): Promise<Responses[N]> {
  const url = urlFor(name, opts);
  const pending = early.get(url);
  if (pending) {
    early.delete(url);
    const res = await pending.catch(() => null);
    if (res?.ok) {
      const type = res.headers.get('content-type') ?? '';
      if (type.includes('application/octet-stream')) return (await res.arrayBuffer()) as Responses[N];
      if (type.includes('application/json')) return (await res.json()) as Responses[N];
    }
  }
  return api(name, opts);
}
