import type { Command } from 'commander';
import { caseShares, shareCaseWithGroup, unshareCaseWithGroup } from '../auth/case-access.js';
import { addMember, createGroup, deleteGroup, listGroups, removeMember, requireGroup } from '../auth/groups.js';
import { getCase } from '../cases/cases.js';
import { printTable, withStore } from './context.js';
import { audit } from './users.js';

/**
 * `watchkeeper groups ...`: groups of users, and cases shared with them (see docs/server.md). The command line acts
 * as an admin; every change goes to the audit trail as the operating-system user (via "cli").
 */
export function register(program: Command): void {
  const groups = program
    .command('groups')
    .description('groups of users; a case shared with a group is seen by its members, each within their role')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper groups create "sanctions desk"\n  watchkeeper groups add "sanctions desk" alice bob\n' +
        '  watchkeeper groups share case-3f9a1c2b7d4e "sanctions desk"\n  watchkeeper groups list\n',
    );

  groups
    .command('create <name>')
    .description('create a group (names: 1-64 letters, digits, spaces, ".", "_", "@", "-")')
    .addHelpText('after', '\nExamples:\n  watchkeeper groups create "sanctions desk"\n')
    .action(async function (this: Command, name: string) {
      await withStore(this, async (store) => {
        const g = await createGroup(store.db, name, null);
        await audit(store, 'groups create', null, g);
        process.stdout.write(`${g.id}\n`);
        process.stderr.write(`created group ${g.name}\n`);
      });
    });

  groups
    .command('list')
    .description('list groups, their members and how many cases are shared with each')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  watchkeeper groups list\n  watchkeeper groups list --json\n')
    .action(async function (this: Command, opts: { json?: boolean }) {
      await withStore(this, async (store) => {
        const rows = await listGroups(store.db);
        if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else
          printTable(
            rows.map((g) => ({ ...g, members: g.members.map((m) => m.username).join(',') })),
            ['id', 'name', 'members', 'cases', 'createdAt'],
          );
      });
    });

  groups
    .command('add <group> <usernames...>')
    .description('add users to a group (by group name or id); they see its cases at once')
    .addHelpText('after', '\nExamples:\n  watchkeeper groups add "sanctions desk" alice bob\n')
    .action(async function (this: Command, group: string, usernames: string[]) {
      await withStore(this, async (store) => {
        const before = await requireGroup(store.db, group);
        let after = before;
        for (const u of usernames) after = await addMember(store.db, before.id, u, null);
        await audit(store, 'groups add', before, after);
        process.stderr.write(`${after.name}: ${after.members.map((m) => m.username).join(', ')}\n`);
      });
    });

  groups
    .command('remove <group> <username>')
    .description("remove a user from a group; the group's cases disappear for them at once")
    .addHelpText('after', '\nExamples:\n  watchkeeper groups remove "sanctions desk" bob\n')
    .action(async function (this: Command, group: string, username: string) {
      await withStore(this, async (store) => {
        const before = await requireGroup(store.db, group);
        const after = await removeMember(store.db, before.id, username);
        await audit(store, 'groups remove', before, after);
        process.stderr.write(`removed ${username} from ${after.name}\n`);
      });
    });

  groups
    .command('delete <group>')
    .description('delete a group; its members stop seeing the cases shared with it')
    .addHelpText('after', '\nExamples:\n  watchkeeper groups delete "sanctions desk"\n')
    .action(async function (this: Command, group: string) {
      await withStore(this, async (store) => {
        const g = await deleteGroup(store.db, (await requireGroup(store.db, group)).id);
        await audit(store, 'groups delete', g, null);
        process.stderr.write(`deleted group ${g.name} (was shared with ${g.cases} case(s))\n`);
      });
    });

  groups
    .command('share <caseId> <group>')
    .description('share a case with a group')
    .addHelpText('after', '\nExamples:\n  watchkeeper groups share case-3f9a1c2b7d4e "sanctions desk"\n')
    .action(async function (this: Command, caseId: string, group: string) {
      await withStore(this, async (store) => {
        await getCase(store, caseId);
        const before = await caseShares(store.db, caseId);
        await shareCaseWithGroup(store.db, null, caseId, group);
        const after = await caseShares(store.db, caseId);
        await audit(store, 'groups share', { caseId, ...before }, { caseId, ...after });
        process.stderr.write(`case ${caseId} is shared with ${after.groups.map((g) => g.name).join(', ')}\n`);
      });
    });

  groups
    .command('unshare <caseId> <group>')
    .description('stop sharing a case with a group')
    .addHelpText('after', '\nExamples:\n  watchkeeper groups unshare case-3f9a1c2b7d4e "sanctions desk"\n')
    .action(async function (this: Command, caseId: string, group: string) {
      await withStore(this, async (store) => {
        await getCase(store, caseId);
        const before = await caseShares(store.db, caseId);
        await unshareCaseWithGroup(store.db, null, caseId, group);
        const after = await caseShares(store.db, caseId);
        await audit(store, 'groups unshare', { caseId, ...before }, { caseId, ...after });
        process.stderr.write(`case ${caseId} is no longer shared with ${group}\n`);
      });
    });
}
