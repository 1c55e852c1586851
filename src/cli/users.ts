import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { appendAudit, listAudit } from '../auth/audit.js';
import { createToken, listTokens, parseScope, revokeToken } from '../auth/tokens.js';
import { createUser, listUsers, parseRole, requireUserByName, setPassword, setRole } from '../auth/users.js';
import { UserError } from '../errors.js';
import type { Store } from '../store/store.js';
import { printTable, withStore } from './context.js';

/**
 * `watchkeeper users ...`, `tokens ...` and `audit`: accounts for a shared server (see docs/server.md). Every change
 * made here is written to the audit trail as the operating-system user running the command (via "cli").
 */

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Ask for a password on the terminal without echoing it. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
    let asked = false;
    out._writeToOutput = (s: string) => {
      if (!asked) {
        process.stderr.write(s);
        asked = true;
      }
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

async function readPassword(opts: { passwordStdin?: boolean }): Promise<string> {
  if (opts.passwordStdin) return readStdin();
  if (!process.stdin.isTTY) {
    throw new UserError('no terminal to ask the password on: pipe it in with --password-stdin');
  }
  const a = await prompt('Password: ');
  const b = await prompt('Again: ');
  if (a !== b) throw new UserError('the two passwords differ');
  return a;
}

function cliUser(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** One audit row for a change made from the command line (also used by src/cli/groups.ts). */
export async function audit(store: Store, route: string, before: unknown, after: unknown): Promise<void> {
  await appendAudit(store.db, {
    userId: null,
    username: cliUser(),
    via: 'cli',
    method: 'CLI',
    route,
    path: route,
    operation: null,
    status: 0,
    ip: null,
    userAgent: null,
    before,
    after,
  });
}

export function register(program: Command): void {
  const users = program
    .command('users')
    .description('user accounts and roles (viewer, analyst, admin) for a server with auth on')
    .addHelpText('after', '\nExamples:\n  watchkeeper users add alice --role admin\n  watchkeeper users list\n');

  users
    .command('add <username>')
    .description('create a user; the password is asked on the terminal or read with --password-stdin')
    .option('--role <role>', 'viewer, analyst or admin', 'analyst')
    .option('--password-stdin', 'read the password from stdin (for scripts)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper users add alice --role admin\n  printf %s "$PW" | watchkeeper users add bob --role viewer --password-stdin\n',
    )
    .action(async function (this: Command, username: string, opts: { role: string; passwordStdin?: boolean }) {
      const role = parseRole(opts.role);
      const password = await readPassword(opts);
      await withStore(this, async (store) => {
        const u = await createUser(store.db, { username, password, role });
        await audit(store, 'users add', null, u);
        process.stdout.write(`${u.id}\n`);
        process.stderr.write(`created ${u.role} ${u.username}\n`);
      });
    });

  users
    .command('list')
    .description('list users and their roles')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  watchkeeper users list\n  watchkeeper users list --json\n')
    .action(async function (this: Command, opts: { json?: boolean }) {
      await withStore(this, async (store) => {
        const rows = await listUsers(store.db);
        if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else
          printTable(rows as unknown as Array<Record<string, unknown>>, [
            'id',
            'username',
            'role',
            'disabled',
            'createdAt',
          ]);
      });
    });

  users
    .command('passwd <username>')
    .description("set a user's password (ends their sessions)")
    .option('--password-stdin', 'read the password from stdin (for scripts)')
    .addHelpText('after', '\nExamples:\n  watchkeeper users passwd alice\n')
    .action(async function (this: Command, username: string, opts: { passwordStdin?: boolean }) {
      const password = await readPassword(opts);
      await withStore(this, async (store) => {
        const u = await requireUserByName(store.db, username);
        await setPassword(store.db, u.id, password);
        await audit(store, 'users passwd', { id: u.id, username: u.username }, { id: u.id, password: '[changed]' });
        process.stderr.write(`password of ${u.username} changed\n`);
      });
    });

  users
    .command('role <username> <role>')
    .description("change a user's role (viewer, analyst, admin)")
    .addHelpText('after', '\nExamples:\n  watchkeeper users role bob analyst\n')
    .action(async function (this: Command, username: string, role: string) {
      const r = parseRole(role);
      await withStore(this, async (store) => {
        const before = await requireUserByName(store.db, username);
        const after = await setRole(store.db, before.id, r);
        await audit(store, 'users role', before, after);
        process.stderr.write(`${after.username} is now ${after.role}\n`);
      });
    });

  const tokens = program
    .command('tokens')
    .description('API tokens for programs (read or write scope; stored hashed, shown once)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper tokens create --user alice --name ci --scope read\n  watchkeeper tokens list\n',
    );

  tokens
    .command('create')
    .description('create an API token for a user and print it (the only time it is shown)')
    .requiredOption('--user <username>', 'the user the token acts as')
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--scope <scope>', 'read or write', 'read')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper tokens create --user alice --name nightly-screening --scope write\n',
    )
    .action(async function (this: Command, opts: { user: string; name: string; scope: string }) {
      const scope = parseScope(opts.scope);
      await withStore(this, async (store) => {
        const u = await requireUserByName(store.db, opts.user);
        const { token, record } = await createToken(store.db, u.id, { name: opts.name, scope });
        await audit(store, 'tokens create', null, record);
        process.stdout.write(`${token}\n`);
        process.stderr.write(
          `token ${record.id} (${record.scope}) for ${u.username}: store it now, it is not shown again\n`,
        );
      });
    });

  tokens
    .command('list')
    .description('list API tokens (never their secrets)')
    .option('--user <username>', 'only this user')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  watchkeeper tokens list --user alice\n')
    .action(async function (this: Command, opts: { user?: string; json?: boolean }) {
      await withStore(this, async (store) => {
        const userId = opts.user ? (await requireUserByName(store.db, opts.user)).id : undefined;
        const rows = await listTokens(store.db, userId);
        if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else
          printTable(rows as unknown as Array<Record<string, unknown>>, [
            'id',
            'userId',
            'name',
            'scope',
            'createdAt',
            'revokedAt',
          ]);
      });
    });

  tokens
    .command('revoke <id>')
    .description('revoke an API token (it stops working at once)')
    .addHelpText('after', '\nExamples:\n  watchkeeper tokens revoke tok-3f9a1c2b7d4e\n')
    .action(async function (this: Command, id: string) {
      await withStore(this, async (store) => {
        const before = (await listTokens(store.db)).find((t) => t.id === id) ?? null;
        const t = await revokeToken(store.db, id);
        await audit(store, 'tokens revoke', before, t);
        process.stderr.write(`revoked ${t.id}\n`);
      });
    });

  program
    .command('audit')
    .description('the audit trail: every write, who made it, when, from where, before and after (newest first)')
    .option('--limit <n>', 'rows to show', '50')
    .option('--user <username>', 'only this user')
    .option('--since <iso>', 'only from this time (ISO-8601 UTC)')
    .option('--json', 'print JSON (with before/after)')
    .addHelpText('after', '\nExamples:\n  watchkeeper audit --limit 20\n  watchkeeper audit --user alice --json\n')
    .action(async function (this: Command, opts: { limit: string; user?: string; since?: string; json?: boolean }) {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UserError(`--limit: a positive integer, got "${opts.limit}"`);
      await withStore(this, async (store) => {
        const { results } = await listAudit(store.db, { limit, username: opts.user, since: opts.since });
        if (opts.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        else
          printTable(
            results.map((r) => ({ ...r, what: `${r.method} ${r.path}` })),
            ['ts', 'username', 'via', 'what', 'status', 'ip'],
          );
      });
    });
}
