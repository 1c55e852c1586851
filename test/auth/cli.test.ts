import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { cliEntry } from '../support/cli.js';

/** The real CLI (from the sources): serve refuses 0.0.0.0 without auth; users, tokens and audit commands. */

const root = path.resolve(import.meta.dirname, '../..');
let dir: string;
let db: string;

function cli(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliEntry(), '--db', db, ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', WATCHKEEPER_AUTH: '', HOST: '', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
    child.stdin.end(opts.stdin ?? '');
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-auth-cli-'));
  db = path.join(dir, 'cli.duckdb');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('watchkeeper serve / users / tokens / audit', () => {
  it('refuses to bind 0.0.0.0 without auth, saying how to turn it on', async () => {
    const r = await cli(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('refusing to listen on 0.0.0.0 without authentication');
    expect(r.err).toContain('WATCHKEEPER_AUTH=on');
    // Auth on with no users: refused too, naming the command that creates the first admin.
    const empty = await cli(['serve', '--host', '0.0.0.0', '--port', '0', '--auth']);
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/has no users: create the first admin with `watchkeeper users add <name> --role admin`/);
  }, 60_000);

  it('creates users, changes roles, issues and revokes tokens, and records it all in the audit trail', async () => {
    const add = await cli(['users', 'add', 'ada', '--role', 'admin', '--password-stdin'], {
      stdin: 'a long passphrase\n',
    });
    expect([add.code, add.err]).toEqual([0, 'created admin ada\n']);
    expect(add.out).toMatch(/^user-[0-9a-f]{12}\n$/);
    const short = await cli(['users', 'add', 'bo', '--password-stdin'], { stdin: 'short' });
    expect(short.code).toBe(1);
    expect(short.err).toContain('password: at least 10 characters');
    expect((await cli(['users', 'add', 'bo', '--password-stdin'], { stdin: 'another passphrase' })).code).toBe(0);
    expect((await cli(['users', 'role', 'bo', 'viewer'])).err).toBe('bo is now viewer\n');
    const badRole = await cli(['users', 'role', 'bo', 'root']);
    expect([badRole.code, badRole.err]).toEqual([
      1,
      'watchkeeper: role: must be one of viewer, analyst, admin, got "root"\n',
    ]);
    const lastAdmin = await cli(['users', 'role', 'ada', 'viewer']);
    expect(lastAdmin.err).toContain('last active admin');
    const list = JSON.parse((await cli(['users', 'list', '--json'])).out) as Array<{ username: string; role: string }>;
    expect(list.map((u) => [u.username, u.role])).toEqual([
      ['ada', 'admin'],
      ['bo', 'viewer'],
    ]);

    const created = await cli(['tokens', 'create', '--user', 'bo', '--name', 'reader', '--scope', 'read']);
    expect(created.code).toBe(0);
    const token = created.out.trim();
    expect(token).toMatch(/^wk_[A-Za-z0-9_-]{43}$/);
    const tokens = JSON.parse((await cli(['tokens', 'list', '--json'])).out) as Array<{ id: string; scope: string }>;
    expect(tokens).toHaveLength(1);
    expect(JSON.stringify(tokens)).not.toContain(token);
    expect((await cli(['tokens', 'revoke', tokens[0]!.id])).err).toBe(`revoked ${tokens[0]!.id}\n`);

    const audit = JSON.parse((await cli(['audit', '--json'])).out) as Array<{
      route: string;
      via: string;
      before: unknown;
      after: unknown;
    }>;
    expect(audit.map((a) => a.route)).toEqual([
      'tokens revoke',
      'tokens create',
      'users role',
      'users add',
      'users add',
    ]);
    expect(audit.every((a) => a.via === 'cli')).toBe(true);
    expect(audit[2]).toMatchObject({
      before: { username: 'bo', role: 'analyst' },
      after: { username: 'bo', role: 'viewer' },
    });
    expect(audit[0]).toMatchObject({ before: { revokedAt: null }, after: { revokedAt: expect.any(String) } });

    // Passwords are stored as scrypt hashes only.
    const store = await openStore({ url: db });
    try {
      const rows = await store.db.query('SELECT password_hash FROM users');
      for (const r of rows) expect(String(r.password_hash)).toMatch(/^scrypt\$32768\$8\$1\$/);
    } finally {
      await store.close();
    }
  }, 120_000);
});
