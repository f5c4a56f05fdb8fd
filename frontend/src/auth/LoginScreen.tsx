import { useState } from 'react';
import { errorMessage } from '../api/errors';
import { Field } from '../components/Field';

type Props =
  | { mode: 'token'; reason: string | null; onSubmitToken: (token: string) => Promise<string | null> }
  | { mode: 'oidc'; reason: string | null; onLogin: () => Promise<void> };

function Brand() {
  return (
    <div className="auth-brand">
      <svg width="28" height="28" viewBox="0 0 16 16" aria-hidden>
        <circle cx="4" cy="4" r="2.6" fill="#2563eb" />
        <circle cx="12" cy="12" r="2.6" fill="#2563eb" />
        <circle cx="12" cy="4" r="2.6" fill="#60a5fa" />
        <path d="M5.8 5.8l4.4 4.4M12 6.6v2.8" stroke="#60a5fa" strokeWidth="1.4" />
      </svg>
      <span>Causeway</span>
    </div>
  );
}

/** Stands in for the app until the server accepts the credentials (token or oidc mode). */
export function LoginScreen(props: Props) {
  return (
    <div className="auth-page">
      <main className="card card-body auth-card" aria-labelledby="login-title">
        <Brand />
        <h1 id="login-title">Log in</h1>
        {props.reason && (
          <div className="notice warn" role="alert" data-testid="login-reason">
            <div className="grow">{props.reason}</div>
          </div>
        )}
        {props.mode === 'token' ? <TokenForm onSubmit={props.onSubmitToken} /> : <OidcButton onLogin={props.onLogin} />}
      </main>
    </div>
  );
}

function TokenForm({ onSubmit }: { onSubmit: (token: string) => Promise<string | null> }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const value = token.trim();
    if (!value) return setError('Paste your API token.');
    setBusy(true);
    setError(null);
    try {
      const refused = await onSubmit(value);
      if (refused !== null) setError(`This token was not accepted: ${refused}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <p className="muted">This Causeway server asks for an API token.</p>
      <Field label="API token" htmlFor="api-token" errors={error ? [error] : undefined}>
        <input
          id="api-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="cw_…"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoFocus
        />
      </Field>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Checking…' : 'Log in'}
      </button>
      <details className="auth-help">
        <summary>How do I get a token?</summary>
        <p>
          Ask an admin of this server for one (admins create tokens on the <em>API tokens</em> page), or, on the
          server's machine, run:
        </p>
        <pre className="mono">causeway token create --name YOUR_NAME --role editor --expires 90d</pre>
        <p>
          It prints the token once. Roles: <strong>viewer</strong> reads everything, <strong>editor</strong> also
          creates datasets, experiments and runs, <strong>admin</strong> also manages algorithms, data sources and
          tokens. The token is kept in this browser until you log out.
        </p>
      </details>
    </form>
  );
}

function OidcButton({ onLogin }: { onLogin: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const login = async () => {
    setBusy(true);
    setError(null);
    try {
      await onLogin(); // the browser leaves for the issuer
    } catch (err) {
      setError(`Could not reach the login service: ${errorMessage(err)}`);
      setBusy(false);
    }
  };
  return (
    <>
      <p className="muted">This Causeway server signs you in through your organisation's login service.</p>
      {error && (
        <div className="notice error" role="alert">
          <div className="grow">{error}</div>
        </div>
      )}
      <button type="button" className="primary" onClick={login} disabled={busy}>
        {busy ? 'Redirecting…' : 'Log in'}
      </button>
    </>
  );
}
