import { useRef, useState } from 'react';
import { api, type EntityView } from '../api.js';
import { Link, navigate } from '../router.js';
import { describeError, Empty, FindingTable, type Loadable, Section, Show, useLoad } from '../ui.js';
import { AddToCase, WatchButton } from '../widgets.js';
import { PartyVesselsSection } from './ownership-parts.js';
import { AddLinkForm, NewEntityForm, UserLinks } from './user-entity-parts.js';

/** An entity with every value and where it came from (list, version, record), its sanctions, links and findings. */
export function EntityPage({ id }: { id: string }) {
  const [loaded, reload] = useLoad((signal) => api('entity', { params: { id }, signal }), [id]);
  // A reload after adding a link keeps the page (and the forms' state) on screen until the new data is in.
  const lastOk = useRef<{ id: string; value: Loadable<EntityView> } | null>(null);
  if (loaded.state === 'ok') lastOk.current = { id, value: loaded };
  const data = loaded.state === 'loading' && lastOk.current?.id === id ? lastOk.current.value : loaded;
  const [linksVersion, setLinksVersion] = useState(0);
  const [creating, setCreating] = useState(false);
  const [deleteMsg, setDeleteMsg] = useState<string | null>(null);
  const changed = () => {
    setLinksVersion((v) => v + 1);
    reload();
  };
  return (
    <div data-testid="page-entity">
      <Show value={data} what="the entity">
        {(e) => (
          <>
            <h1 data-testid="entity-caption">
              {e.caption}
              {e.sanctions.length > 0 && <span className="tag-sanctioned">sanctioned</span>}
            </h1>
            <p className="muted">
              {e.schema} · <span className="mono">{e.id}</span> · sources: {e.datasets.join(', ')}
            </p>
            <p>
              <WatchButton
                kind={e.schema === 'CryptoWallet' ? 'address' : 'entity'}
                refId={e.schema === 'CryptoWallet' ? e.id : e.id}
                label={e.caption}
              />{' '}
              <Link to={`/network?ids=${encodeURIComponent(e.id)}`}>Open in the network</Link>
              {e.schema === 'Vessel' && (
                <>
                  {' '}
                  <Link to={`/vessel/${encodeURIComponent(e.id)}`}>Vessel profile</Link>
                </>
              )}
              {e.schema === 'CryptoWallet' && e.properties.publicKey?.[0] && (
                <>
                  {' '}
                  <Link to={`/crypto?address=${encodeURIComponent(e.properties.publicKey[0].value)}`}>Trace funds</Link>
                </>
              )}{' '}
              <button
                type="button"
                className="secondary"
                onClick={() => setCreating((c) => !c)}
                data-testid="new-entity"
              >
                New entity
              </button>
              {e.referents.length === 1 && e.datasets.length === 1 && e.datasets[0] === 'user' && (
                <>
                  {' '}
                  <button
                    type="button"
                    className="secondary"
                    data-testid="delete-user-entity"
                    onClick={async () => {
                      if (!window.confirm(`Delete ${e.caption} and the links users added to it?`)) return;
                      try {
                        await api('deleteEntity', { params: { id: e.id } });
                        navigate('/search');
                      } catch (err) {
                        setDeleteMsg(describeError(err as Error));
                      }
                    }}
                  >
                    Delete this user entity
                  </button>
                </>
              )}
            </p>
            {deleteMsg && (
              <div className="msg error" role="alert">
                {deleteMsg}
              </div>
            )}
            {creating && <NewEntityForm onClose={() => setCreating(false)} />}
            <Section title="Properties and their sources">
              <table className="grid" data-testid="properties">
                <thead>
                  <tr>
                    <th>Property</th>
                    <th>Value</th>
                    <th>Source</th>
                    <th>List version</th>
                    <th>Record</th>
                    <th>Seen</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(e.properties).flatMap(([prop, vals]) =>
                    vals.map((v, i) => (
                      <tr key={`${prop}|${v.value}|${v.source}|${v.versionId ?? ''}|${v.sourceRecord}`}>
                        <td>{i === 0 ? prop : ''}</td>
                        <td>
                          {v.isEntity ? <Link to={`/entity/${encodeURIComponent(v.value)}`}>{v.value}</Link> : v.value}
                        </td>
                        <td>{v.source}</td>
                        <td className="mono" title={v.version ? `sha256 ${v.version.sha256}` : ''}>
                          {v.versionId ?? '—'}
                          {v.version && <div className="muted">published {v.version.fetchedAt.slice(0, 10)}</div>}
                        </td>
                        <td className="mono">{v.sourceRecord}</td>
                        <td className="nowrap">{v.seenAt.slice(0, 10)}</td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            </Section>
            <div className="cols">
              <Section title="Sanctions">
                {e.sanctions.length === 0 ? (
                  <Empty>No sanction in the loaded lists names this entity.</Empty>
                ) : (
                  <ul data-testid="sanctions">
                    {e.sanctions.map((s) => (
                      <li key={s.id}>
                        {[
                          s.properties.authority,
                          s.properties.program,
                          s.properties.listingDate ?? s.properties.startDate,
                        ]
                          .filter(Boolean)
                          .map((v) => v!.join(', '))
                          .join(' · ')}{' '}
                        <span className="muted mono">{s.id}</span>
                        {s.properties.reason && <div className="muted">{s.properties.reason.join(' ')}</div>}
                      </li>
                    ))}
                  </ul>
                )}
              </Section>
              <Section title="Links">
                {e.links.length === 0 ? (
                  <Empty>No links to other entities.</Empty>
                ) : (
                  <ul data-testid="links">
                    {e.links.map((l) => (
                      <li key={`${l.id}-${l.relation}-${l.direction}`}>
                        {l.direction === 'out' ? `${l.relation} →` : `← ${l.relation}`}{' '}
                        <Link to={`/entity/${encodeURIComponent(l.id)}`}>{l.caption}</Link>{' '}
                        <span className="muted">{l.schema}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </Section>
            </div>
            <Section title="Add what you know">
              <AddLinkForm id={e.id} onAdded={changed} />
              <h3>Links added by users</h3>
              <UserLinks id={e.id} version={linksVersion} onChange={changed} />
            </Section>
            <PartyVesselsSection id={e.id} schema={e.schema} />
            <Section title={`Findings (${e.findings.length})`}>
              <FindingTable findings={e.findings} empty="No findings name this entity." />
            </Section>
            <Section title="Case">
              <AddToCase kind="entity" refId={e.id} label={e.caption} />
            </Section>
          </>
        )}
      </Show>
    </div>
  );
}
