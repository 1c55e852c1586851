import { useState } from 'react';
import { api } from '../api.js';
import { fmtTime, Notice, Section, Show, useAction, useLoad } from '../ui.js';

/**
 * "Shared with" on the case page: the owner, the users and the groups that see the case (docs/server.md), and for
 * the owner or an admin a form to share with a user or a group and buttons to stop sharing. The group choice lists
 * the groups the user may share with (GET /groups: their own, or all for an admin). Only shown with auth on: in
 * local mode everyone sees every case. Members of a group see the case as long as they are members.
 */
export function SharedWith({ caseId }: { caseId: string }) {
  const [data, reload] = useLoad(
    async (signal) => {
      const me = await api('me', { signal });
      if (!me.authEnabled) return null;
      const [shares, groups] = await Promise.all([
        api('caseShares', { params: { id: caseId }, signal }),
        me.user ? api('groups', { signal }) : { results: [] },
      ]);
      return { me, shares, groups: groups.results };
    },
    [caseId],
  );
  const [kind, setKind] = useState<'user' | 'group'>('user');
  const { msg, act } = useAction(reload);
  return (
    <Show value={data} what="who sees the case">
      {(d) => {
        if (!d) return null;
        const { me, shares, groups } = d;
        const owner = shares.results.find((s) => s.access === 'owner');
        const mayShare = me.user?.role === 'admin' || (owner !== undefined && owner.userId === me.user?.id);
        const count = shares.results.length + shares.groups.length;
        const sharedGroups = new Set(shares.groups.map((g) => g.groupId));
        const offered = groups.filter((g) => !sharedGroups.has(g.id));
        return (
          <Section title={`Shared with (${count})`}>
            <table className="grid" data-testid="case-shares">
              <thead>
                <tr>
                  <th>Who</th>
                  <th>Access</th>
                  <th>Since</th>
                  {mayShare && <th />}
                </tr>
              </thead>
              <tbody>
                {shares.results.map((s) => (
                  <tr key={`u:${s.userId}`}>
                    <td>{s.username}</td>
                    <td>{s.access === 'owner' ? 'owner' : 'user'}</td>
                    <td className="nowrap">{fmtTime(s.grantedAt)}</td>
                    {mayShare && (
                      <td>
                        {s.access !== 'owner' && (
                          <button
                            type="button"
                            className="secondary"
                            onClick={() =>
                              act(
                                () => api('unshareCase', { params: { id: caseId, userId: s.userId } }),
                                `${s.username} no longer sees the case.`,
                              )
                            }
                          >
                            Stop sharing
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
                {shares.groups.map((g) => (
                  <tr key={`g:${g.groupId}`}>
                    <td>{g.name}</td>
                    <td>group</td>
                    <td className="nowrap">{fmtTime(g.grantedAt)}</td>
                    {mayShare && (
                      <td>
                        <button
                          type="button"
                          className="secondary"
                          onClick={() =>
                            act(
                              () => api('unshareCaseWithGroup', { params: { id: caseId, groupId: g.groupId } }),
                              `Group ${g.name} no longer sees the case.`,
                            )
                          }
                        >
                          Stop sharing
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            {!owner && <p className="muted">No owner: the case was made in local mode. Admins see it and share it.</p>}
            {mayShare && (
              <form
                className="inline"
                data-testid="share-case"
                onSubmit={(e) => {
                  e.preventDefault();
                  const form = e.currentTarget;
                  const name = String(new FormData(form).get('name') ?? '').trim();
                  if (!name) return;
                  void act(
                    () =>
                      kind === 'user'
                        ? api('shareCase', { params: { id: caseId }, body: { username: name } })
                        : api('shareCaseWithGroup', { params: { id: caseId }, body: { group: name } }),
                    kind === 'user' ? `Shared with ${name}.` : `Shared with group ${name}.`,
                  ).then(() => form.reset());
                }}
              >
                <select
                  value={kind}
                  onChange={(e) => setKind(e.target.value as typeof kind)}
                  aria-label="Share with a user or a group"
                  data-testid="share-kind"
                >
                  <option value="user">user</option>
                  <option value="group">group</option>
                </select>
                {kind === 'user' ? (
                  <input
                    type="text"
                    name="name"
                    required
                    maxLength={64}
                    placeholder="User name"
                    aria-label="User name"
                    data-testid="share-name"
                  />
                ) : (
                  <select name="name" required aria-label="Group" data-testid="share-name" key="group">
                    {offered.map((g) => (
                      <option key={g.id} value={g.name}>
                        {g.name} ({g.members.length} {g.members.length === 1 ? 'member' : 'members'})
                      </option>
                    ))}
                  </select>
                )}
                <button type="submit" data-testid="share-submit" disabled={kind === 'group' && offered.length === 0}>
                  Share
                </button>
              </form>
            )}
            {mayShare && kind === 'group' && offered.length === 0 && (
              <p className="muted" data-testid="share-no-groups">
                {groups.length === 0
                  ? 'You are a member of no group: an admin adds you to one (watchkeeper groups add).'
                  : 'The case is shared with every group you are in.'}
              </p>
            )}
            <Notice msg={msg} testId="share-message" />
          </Section>
        );
      }}
    </Show>
  );
}
