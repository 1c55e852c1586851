import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api.js';

/**
 * The sign-in form, shown in place of the page asked for when auth is on and there is no valid session: the address
 * stays the same, so signing in lands on the page the user wanted. The API sets the session cookie (HttpOnly) and the
 * CSRF cookie that api.ts sends back on every change.
 */
export function LoginPage({
  onSignedIn,
  expired,
  oidc,
}: {
  onSignedIn: () => void;
  expired: boolean;
  oidc?: { name: string } | null;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('login', { body: { username, password } });
      setPassword('');
      onSignedIn();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'Wrong user name or password.'
          : err instanceof Error
            ? err.message
            : String(err),
      );
    } finally {
      setBusy(false);
    }
  }

  const back = window.location.pathname + window.location.search;
  return (
    <div className="login" data-testid="page-login" style={{ maxWidth: '22rem', margin: '4rem auto' }}>
      <h1>Sign in</h1>
      {expired && (
        <div className="msg" data-testid="login-expired">
          Your session has ended: sign in again to go on.
        </div>
      )}
      <form onSubmit={submit}>
        <p>
          <label>
            User name
            <br />
            <input
              name="username"
              autoComplete="username"
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              data-testid="login-username"
            />
          </label>
        </p>
        <p>
          <label>
            Password
            <br />
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="login-password"
            />
          </label>
        </p>
        {error && (
          <div className="msg error" role="alert" data-testid="login-error">
            {error}
          </div>
        )}
        <p>
          <button type="submit" disabled={busy} data-testid="login-submit">
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </p>
      </form>
      {oidc && (
        <p>
          <a className="button" href={`/auth/oidc/login?returnTo=${encodeURIComponent(back)}`} data-testid="login-oidc">
            Sign in with {oidc.name}
          </a>
        </p>
      )}
    </div>
  );
}
