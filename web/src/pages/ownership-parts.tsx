import { ApiError, api, type PartyVessels, type RegistryVessel } from '../api.js';
import { Link } from '../router.js';
import { Empty, ErrorBox, Section, useLoad } from '../ui.js';

/**
 * Who is behind the ship (docs/ownership.md), as the API computes it: the registry identity timeline of a hull,
 * its owners and managers over time with their listing status and the 50 % rule, and a company's vessels.
 */

type Blocked = true | false | 'possible';
type PathStep = RegistryVessel['control']['paths'][number][number];

const IDENTITY_PROPS: Record<string, string> = {
  name: 'Name',
  alias: 'Name (list alias)',
  previousName: 'Former name',
  flag: 'Flag',
  pastFlag: 'Former flag',
  callSign: 'Call sign',
  mmsi: 'MMSI',
};

function Status({ listed, blocked }: { listed: boolean; blocked: Blocked }) {
  if (listed) return <span className="tag-sanctioned">listed</span>;
  if (blocked === true) return <span className="tag-sanctioned">blocked (50 % rule)</span>;
  if (blocked === 'possible')
    return (
      <span className="tag-sanctioned" style={{ background: '#ef6c00' }}>
        possibly blocked (50 % rule)
      </span>
    );
  return <span className="muted">not listed</span>;
}

/** One ownership path, listed owner first: "KOREA ACHIM SHIPPING CO [listed] —60 %→ ORIENT WAVE …". */
export function pathText(path: PathStep[]): string {
  return path
    .map(
      (s, i) =>
        `${i === 0 ? `${s.ownerName}${s.ownerListed ? ' [listed]' : ''}` : ''} —${s.percentage === undefined ? '? %' : `${s.percentage} %`}${s.startDate ? ` since ${s.startDate}` : ''}→ ${s.assetName}`,
    )
    .join(' ');
}

const day = (s?: string) => (s ? s.slice(0, 10) : '');

function RegistryBody({ r }: { r: RegistryVessel }) {
  const facts = r.identity.filter((f) => f.prop in IDENTITY_PROPS);
  const c = r.control;
  return (
    <>
      <Section title={`Registry identity (IMO ${r.imo})`}>
        <p data-testid="registry-names">
          <b>{r.names.current.join(' / ')}</b>
          {r.names.former.length > 0 && <> · former names: {r.names.former.join(', ')}</>}
        </p>
        <table className="grid" data-testid="registry-identity">
          <thead>
            <tr>
              <th>What</th>
              <th>Value</th>
              <th>Source</th>
              <th>From</th>
              <th>To</th>
              <th>Record</th>
            </tr>
          </thead>
          <tbody>
            {facts.map((f) => (
              <tr key={`${f.prop}|${f.value}|${f.source}|${f.sourceRecord}`} data-prop={f.prop}>
                <td>{IDENTITY_PROPS[f.prop]}</td>
                <td>{f.value}</td>
                <td>{f.source}</td>
                <td className="nowrap">{day(f.firstSeen)}</td>
                <td className="nowrap">{day(f.lastSeen)}</td>
                <td className="mono">{f.sourceRecord}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {r.conflicts.succession.map((s) => (
          <p key={`${s.from}-${s.to}-${s.at}`} className="muted">
            MMSI {s.from} → {s.to} from {s.at}
          </p>
        ))}
        {r.conflicts.simultaneous.map((s) => (
          <p key={`${s.a}-${s.b}-${s.from}`} className="msg error">
            Two MMSIs claim this IMO at once: {s.a} and {s.b}, {s.from} to {s.to}
          </p>
        ))}
      </Section>
      <Section title="Owners and managers over time">
        {r.parties.length === 0 ? (
          <Empty>No owner, manager or operator known for this hull.</Empty>
        ) : (
          <table className="grid" data-testid="registry-owners">
            <thead>
              <tr>
                <th>Role</th>
                <th>Company</th>
                <th>Status</th>
                <th className="right">Share</th>
                <th>From</th>
                <th>To</th>
                <th>Source</th>
              </tr>
            </thead>
            <tbody>
              {r.parties.map((p) => (
                <tr key={`${p.party}|${p.role}|${p.startDate}|${p.source}|${p.sourceRecord}`}>
                  <td>
                    {p.role}
                    {!p.current && <div className="muted">ended</div>}
                  </td>
                  <td>
                    <Link to={`/entity/${encodeURIComponent(p.listEntries[0] ?? p.party)}`}>{p.name}</Link>
                    {p.partyControl?.paths.map((path) => (
                      <div key={pathText(path)} className="muted" data-testid="owner-path">
                        {pathText(path)}
                      </div>
                    ))}
                  </td>
                  <td>
                    <Status listed={p.listed} blocked={p.blocked} />
                    {p.listEntries.length > 0 && <div className="muted mono">{p.listEntries.join(', ')}</div>}
                  </td>
                  <td className="right">{p.percentage === undefined ? '' : `${p.percentage} %`}</td>
                  <td className="nowrap">{p.startDate ?? 'unknown'}</td>
                  <td className="nowrap">{p.endDate ?? ''}</td>
                  <td>
                    {p.source}
                    <div className="muted">{p.via}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {r.chain.steps.length > 0 && (
          <>
            <h3>Ownership chain to the ultimate owners</h3>
            <ul style={{ listStyle: 'none', paddingLeft: 0 }} data-testid="ownership-chain">
              {r.chain.steps.map((st) => (
                <li key={`${st.owner}|${st.asset}|${st.depth}`} style={{ paddingLeft: `${(st.depth - 1) * 1.5}em` }}>
                  {st.ownerName} <Status listed={st.ownerListed} blocked={st.ownerBlocked} /> holds{' '}
                  {st.percentage === undefined ? 'an unknown share' : `${st.percentage} %`} of {st.assetName}{' '}
                  <span className="muted">
                    ({st.role}
                    {st.startDate ? `, since ${st.startDate}` : ''}; {st.sources.join(', ')})
                  </span>
                </li>
              ))}
            </ul>
            <p className="muted" data-testid="ultimate-owners">
              Ultimate owners: {r.chain.ultimateOwners.map((u) => u.name).join(', ')}
              {r.chain.truncated ? ' (the walk stopped at its bound)' : ''}
            </p>
          </>
        )}
        <h3>The OFAC 50 % rule</h3>
        <p data-testid="registry-control">
          <Status listed={c.listed} blocked={c.blocked} /> · blocked persons hold {c.share} % in the aggregate (up to{' '}
          {c.upperShare} % counting unknown shares; threshold {c.threshold} %), as of {c.asOf}
        </p>
        {c.paths.map((path) => (
          <div key={pathText(path)} className="muted" data-testid="control-path">
            {pathText(path)}
          </div>
        ))}
        {r.exposure.map((f) => (
          <p key={f.id} data-testid="exposure">
            {f.explanation}
          </p>
        ))}
      </Section>
    </>
  );
}

/** The vessel page's registry sections: loads `GET /ownership/vessels/{imo}`; nothing when the hull is unknown. */
export function RegistrySections({ imo }: { imo: number | null | undefined }) {
  const [data] = useLoad(
    async (signal) =>
      imo ? api('registryVessel', { params: { imo: String(imo) }, signal }).catch(notFoundIsNull) : null,
    [imo],
  );
  if (data.state === 'loading') return null;
  if (data.state === 'error') return <ErrorBox error={data.error} title="Could not load the registry." />;
  return data.data ? <RegistryBody r={data.data} /> : null;
}

function notFoundIsNull(e: unknown): null {
  if (e instanceof ApiError && e.status === 404) return null;
  throw e;
}

function PartyBody({ p }: { p: PartyVessels }) {
  return (
    <Section title={`Vessels owned or managed (${new Set(p.vessels.map((v) => v.imo)).size})`}>
      <p>
        <Status listed={p.listed} blocked={p.blocked} />{' '}
        <span className="muted">
          {p.name} · also {p.members.filter((m) => m !== p.id).join(', ') || 'no other record'}
        </span>
      </p>
      <table className="grid" data-testid="party-vessels">
        <thead>
          <tr>
            <th>Vessel</th>
            <th>Role</th>
            <th className="right">Share</th>
            <th>From</th>
            <th>To</th>
            <th>Source</th>
          </tr>
        </thead>
        <tbody>
          {p.vessels.map((v) => (
            <tr key={`${v.imo}|${v.role}|${v.startDate}|${v.source}|${v.sourceRecord}`}>
              <td>
                <Link to={`/vessel/${encodeURIComponent(v.entityId)}`}>{v.name}</Link>
                {v.listed && <span className="tag-sanctioned">listed</span>}
              </td>
              <td>
                {v.role}
                {!v.current && <div className="muted">ended</div>}
              </td>
              <td className="right">{v.percentage === undefined ? '' : `${v.percentage} %`}</td>
              <td className="nowrap">{v.startDate ?? 'unknown'}</td>
              <td className="nowrap">{v.endDate ?? ''}</td>
              <td>{v.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

/** The entity page's vessels: loads `GET /ownership/parties/{id}/vessels`; nothing when the entity owns none. */
export function PartyVesselsSection({ id, schema }: { id: string; schema: string }) {
  const party = schema !== 'Vessel' && schema !== 'CryptoWallet' && schema !== 'Sanction';
  const [data] = useLoad(
    async (signal) => (party ? api('partyVessels', { params: { id }, signal }).catch(notFoundIsNull) : null),
    [id, party],
  );
  if (data.state === 'loading') return null;
  if (data.state === 'error') return <ErrorBox error={data.error} title="Could not load the vessels." />;
  return data.data && data.data.vessels.length > 0 ? <PartyBody p={data.data} /> : null;
}
