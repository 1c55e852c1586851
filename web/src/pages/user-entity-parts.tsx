import { useState } from 'react';
import { api, type MatchResult, type UserLink } from '../api.js';
import { Link, navigate } from '../router.js';
import { describeError, Empty, Notice, useLoad } from '../ui.js';

/**
 * "Add what you know" (docs/graph.md): a form that creates a user entity (POST /entities), a form that links the
 * entity on the page to another one picked by search (POST /entities/{id}/links), and the list of the links users
 * added, each removable. The server keeps the signed-in user and the time as the source of every value.
 */

const NEW_SCHEMAS = ['Person', 'Company', 'Organization', 'Vessel'] as const;

/** The FtM property an identifier goes to, per schema. */
const ID_PROP: Record<(typeof NEW_SCHEMAS)[number], string> = {
  Person: 'idNumber',
  Company: 'registrationNumber',
  Organization: 'registrationNumber',
  Vessel: 'imoNumber',
};

const LINK_LABELS: Record<UserLink['type'], string> = {
  owned_by: 'is owned by',
  owns: 'owns',
  directed_by: 'is directed by',
  director_of: 'is a director of',
  associate_of: 'is an associate of',
  same_as: 'is the same as',
};

export function NewEntityForm({ onClose }: { onClose?: () => void }) {
  const [msg, setMsg] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="card stack"
      data-testid="new-entity-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const fd = new FormData(e.currentTarget);
        const schema = String(fd.get('schema')) as (typeof NEW_SCHEMAS)[number];
        const val = (k: string) => String(fd.get(k) ?? '').trim();
        const properties: Record<string, string[]> = { name: [val('name')] };
        if (val('country')) properties[schema === 'Vessel' ? 'flag' : 'country'] = [val('country').toLowerCase()];
        if (val('identifier')) properties[ID_PROP[schema]] = [val('identifier')];
        if (val('notes')) properties.notes = [val('notes')];
        setBusy(true);
        try {
          const created = await api('createEntity', { body: { schema, properties } });
          navigate(`/entity/${encodeURIComponent(created.id)}`);
          onClose?.();
        } catch (err) {
          setMsg(describeError(err as Error));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>New entity</h3>
      <label>
        Type{' '}
        <select name="schema" defaultValue="Company" data-testid="new-entity-schema">
          {NEW_SCHEMAS.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Name <input name="name" required maxLength={500} size={40} data-testid="new-entity-name" />
      </label>
      <label>
        Country (ISO code, e.g. kp){' '}
        <input name="country" maxLength={2} size={4} pattern="[A-Za-z]{2}" data-testid="new-entity-country" />
      </label>
      <label>
        Identifier (ID, registration or IMO number){' '}
        <input name="identifier" maxLength={100} data-testid="new-entity-identifier" />
      </label>
      <label>
        Notes <textarea name="notes" rows={2} cols={50} maxLength={4000} data-testid="new-entity-notes" />
      </label>
      <p>
        <button type="submit" disabled={busy} data-testid="new-entity-submit">
          Create
        </button>{' '}
        {onClose && (
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        )}
      </p>
      {msg && (
        <div className="msg error" role="alert">
          {msg}
        </div>
      )}
    </form>
  );
}

/** Link the page's entity to another, picked by a search over every dataset. */
export function AddLinkForm({ id, onAdded }: { id: string; onAdded: () => void }) {
  const [type, setType] = useState<UserLink['type']>('owned_by');
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<MatchResult[] | null>(null);
  const [target, setTarget] = useState<MatchResult | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const search = async () => {
    setMsg(null);
    try {
      const r = await api('search', { params: { dataset: 'default' }, query: { q: q.trim(), limit: 10 } });
      setHits((r.results ?? []).filter((m) => m.id !== id && !(m.referents ?? []).includes(id)));
    } catch (err) {
      setMsg({ ok: false, text: describeError(err as Error) });
    }
  };
  return (
    <form
      className="stack"
      data-testid="add-link-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!target) return setMsg({ ok: false, text: 'Pick the other entity first (search, then choose).' });
        const form = e.currentTarget;
        const fd = new FormData(form);
        const val = (k: string) => String(fd.get(k) ?? '').trim();
        try {
          const link = await api('addLink', {
            params: { id },
            body: {
              type,
              target: target.id,
              ...(val('percentage') ? { percentage: val('percentage') } : {}),
              ...(val('startDate') ? { startDate: val('startDate') } : {}),
              ...(val('role') ? { role: val('role') } : {}),
              ...(val('notes') ? { notes: val('notes') } : {}),
            },
          });
          setMsg({ ok: true, text: `Added: ${LINK_LABELS[link.type]} ${target.caption}.` });
          setTarget(null);
          setHits(null);
          setQ('');
          form.reset();
          onAdded();
          if (link.type === 'same_as') navigate(`/entity/${encodeURIComponent(link.canonical.entity)}`);
        } catch (err) {
          setMsg({ ok: false, text: describeError(err as Error) });
        }
      }}
    >
      <div className="inline">
        This entity{' '}
        <select
          value={type}
          onChange={(e) => setType(e.target.value as UserLink['type'])}
          aria-label="Link type"
          data-testid="link-type"
        >
          {(Object.keys(LINK_LABELS) as Array<UserLink['type']>).map((t) => (
            <option key={t} value={t}>
              {LINK_LABELS[t]}
            </option>
          ))}
        </select>{' '}
        {target ? (
          <b data-testid="link-target">
            {target.caption} <span className="muted mono">{target.id}</span>{' '}
            <button type="button" className="secondary" onClick={() => setTarget(null)}>
              change
            </button>
          </b>
        ) : (
          <>
            <input
              type="search"
              value={q}
              onChange={(e) => setQ(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  void search();
                }
              }}
              placeholder="Find the other entity by name"
              aria-label="Find the other entity"
              data-testid="link-search"
            />{' '}
            <button type="button" onClick={() => void search()} data-testid="link-search-button">
              Find
            </button>
          </>
        )}
      </div>
      {!target && hits && (
        <ul data-testid="link-candidates">
          {hits.length === 0 && <li className="muted">No entity found.</li>}
          {hits.map((m) => (
            <li key={m.id}>
              <button
                type="button"
                className="secondary"
                data-testid="pick-target"
                data-id={m.id}
                onClick={() => setTarget(m)}
              >
                {m.caption}
              </button>{' '}
              <span className="muted">
                {m.schema} · {(m.datasets ?? []).join(', ')}
              </span>
            </li>
          ))}
        </ul>
      )}
      {(type === 'owned_by' || type === 'owns') && (
        <label>
          Share held (%){' '}
          <input name="percentage" inputMode="decimal" size={6} pattern="\d+([.,]\d+)?" data-testid="link-percentage" />
        </label>
      )}
      {type !== 'same_as' && (
        <label>
          Since (YYYY, YYYY-MM or YYYY-MM-DD){' '}
          <input name="startDate" size={10} pattern="\d{4}(-\d{2}(-\d{2})?)?" data-testid="link-start" />
        </label>
      )}
      {type !== 'same_as' && type !== 'owns' && type !== 'owned_by' && (
        <label>
          Role <input name="role" maxLength={200} placeholder="associate, chairman…" data-testid="link-role" />
        </label>
      )}
      <label>
        {type === 'same_as' ? 'Why' : 'Notes'}{' '}
        <input name="notes" maxLength={2000} size={40} data-testid="link-notes" />
      </label>
      <p>
        <button type="submit" data-testid="add-link-submit">
          Add link
        </button>
      </p>
      <Notice msg={msg} testId="link-message" />
    </form>
  );
}

/** The links users added to the entity, each with who, when and a Remove button. */
export function UserLinks({ id, version, onChange }: { id: string; version: number; onChange: () => void }) {
  const [links, reload] = useLoad((signal) => api('userLinks', { params: { id }, signal }), [id, version]);
  const [msg, setMsg] = useState<string | null>(null);
  if (links.state !== 'ok') return null;
  if (links.data.results.length === 0) return <Empty>No link added by a user yet.</Empty>;
  return (
    <>
      <ul data-testid="user-links">
        {links.data.results.map((l) => (
          <li key={l.id} data-testid="user-link" data-type={l.type}>
            {LINK_LABELS[l.type]} <Link to={`/entity/${encodeURIComponent(l.target)}`}>{l.target_caption}</Link>{' '}
            <span className="muted mono">{l.target}</span>
            {l.percentage ? ` (${l.percentage.replace(/%$/, '')} %)` : ''}
            {l.startDate ? ` since ${l.startDate}` : ''}
            {l.role && l.type !== 'associate_of' ? ` as ${l.role}` : ''}{' '}
            <span className="muted">
              by {l.author}, {l.created_at.slice(0, 16).replace('T', ' ')}
            </span>{' '}
            <button
              type="button"
              className="secondary"
              data-testid="remove-link"
              onClick={async () => {
                try {
                  await api('deleteLink', { params: { id, linkId: l.id } });
                  reload();
                  onChange();
                } catch (err) {
                  setMsg(describeError(err as Error));
                }
              }}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      {msg && (
        <div className="msg error" role="alert">
          {msg}
        </div>
      )}
    </>
  );
}
