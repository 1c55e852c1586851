import { api } from '../api.js';
import { Link } from '../router.js';
import { Empty, FindingTable, Section, Show, useLoad } from '../ui.js';
import { AddToCase, WatchButton } from '../widgets.js';
import { PartyVesselsSection } from './ownership-parts.js';

/** An entity with every value and where it came from (list, version, record), its sanctions, links and findings. */
export function EntityPage({ id }: { id: string }) {
  const [data] = useLoad((signal) => api('entity', { params: { id }, signal }), [id]);
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
              )}
            </p>
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
