import { api, type Watch } from '../api.js';
import { Link } from '../router.js';
import { Empty, fmtTime, kindLabel, Notice, Section, Sev, Show, useAction, useLoad } from '../ui.js';

export function WatchPage() {
  const [data, reload] = useLoad(async (signal) => {
    const [w, a] = await Promise.all([api('watchlist', { signal }), api('alerts', { signal })]);
    return { watches: w.results, alerts: a.results };
  }, []);
  const { msg, act } = useAction(reload);
  return (
    <div data-testid="page-watch">
      <h1>Watchlist and alerts</h1>
      <Section title="Watch something">
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            const fd = new FormData(e.currentTarget);
            void act(
              () =>
                api('watch', {
                  body: {
                    kind: String(fd.get('kind')) as Watch['kind'], // the <select> below offers only these
                    ref: String(fd.get('ref') ?? ''),
                    label: String(fd.get('label') ?? '') || undefined,
                    includeExisting: fd.get('existing') === 'on',
                  },
                }),
              'Watching.',
            );
          }}
        >
          <select name="kind" aria-label="What to watch">
            <option value="vessel">vessel (MMSI or id)</option>
            <option value="entity">entity id</option>
            <option value="address">address</option>
          </select>
          <input
            type="text"
            name="ref"
            required
            placeholder="445123000, ofac-23729, 0x…"
            aria-label="Reference"
            data-testid="watch-ref"
          />
          <input type="text" name="label" placeholder="Label (optional)" aria-label="Label" />
          <label>
            <input type="checkbox" name="existing" /> alert on findings already in the store
          </label>
          <button type="submit" data-testid="watch-add">
            Watch
          </button>
        </form>
        <Notice msg={msg} />
      </Section>
      <Show value={data} what="the watchlist">
        {({ watches, alerts }) => (
          <div className="cols">
            <Section title={`Watched (${watches.length})`}>
              {watches.length === 0 ? (
                <Empty>Nothing watched yet.</Empty>
              ) : (
                <table className="grid" data-testid="watchlist">
                  <thead>
                    <tr>
                      <th>What</th>
                      <th>Since</th>
                      <th className="right">Alerts</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {watches.map((w) => (
                      <tr key={w.id}>
                        <td>
                          {w.kind}:{' '}
                          <Link
                            to={
                              w.kind === 'vessel'
                                ? `/vessel/${encodeURIComponent(w.subjects[0] ?? w.ref)}`
                                : w.kind === 'address'
                                  ? `/crypto?address=${encodeURIComponent(w.ref)}`
                                  : `/entity/${encodeURIComponent(w.ref)}`
                            }
                          >
                            {w.label ?? w.ref}
                          </Link>
                        </td>
                        <td className="nowrap">{fmtTime(w.createdAt)}</td>
                        <td className="right">
                          {w.alertCount} ({w.unreadCount} unread)
                        </td>
                        <td>
                          <button
                            type="button"
                            className="secondary"
                            onClick={() => act(() => api('unwatch', { params: { id: w.id } }), 'Stopped watching.')}
                          >
                            Stop
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Section>
            <Section title={`Alerts (${alerts.length})`}>
              {alerts.length === 0 ? (
                <Empty>No alerts: no new findings on watched subjects.</Empty>
              ) : (
                <table className="grid" data-testid="alert-list">
                  <tbody>
                    {alerts.map((a) => (
                      <tr key={a.id} style={{ fontWeight: a.readAt ? 'normal' : 600 }}>
                        <td className="nowrap">{fmtTime(a.raisedAt)}</td>
                        <td>{a.watchLabel ?? a.watchRef}</td>
                        <td>
                          <Link to={`/finding/${encodeURIComponent(a.findingId)}`}>{kindLabel(a.findingKind)}</Link>
                          <div className="muted">{a.explanation}</div>
                        </td>
                        <td>
                          <Sev score={a.score} />
                        </td>
                        <td>
                          {!a.readAt && (
                            <button
                              type="button"
                              className="secondary"
                              onClick={() => act(() => api('readAlert', { params: { id: a.id } }), 'Marked read.')}
                            >
                              Mark read
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Section>
          </div>
        )}
      </Show>
    </div>
  );
}
