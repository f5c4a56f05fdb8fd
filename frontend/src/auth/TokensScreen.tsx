import { useState } from 'react';
import { ApiError, errorMessage } from '../api/errors';
import { useConfirm } from '../components/confirm';
import { Field } from '../components/Field';
import { useToast } from '../components/toast';
import { Badge, Empty, ErrorNote, Loading, PageHead } from '../components/ui';
import { formatDateTime, plural } from '../util/format';
import { useAccess } from './access';
import { useAuth } from './AuthProvider';
import { ROLES, needsRoleText } from './roles';
import { useCreateToken, useRevokeToken, useTokens } from './tokenQueries';
import type { ApiToken, CreatedApiToken, Role } from './types';

/** A token's state in words, as of `now`. */
export function tokenState(token: ApiToken, now = Date.now()): 'revoked' | 'expired' | 'active' {
  if (token.revoked_at) return 'revoked';
  if (token.expires_at && new Date(token.expires_at).getTime() <= now) return 'expired';
  return 'active';
}

const STATE_KIND = { active: 'ok', expired: 'warn', revoked: 'err' } as const;

/** Admins: the API tokens of people and services; create (secret shown once) and revoke. */
export function TokensScreen() {
  const { can, role } = useAccess();
  const { mode } = useAuth();
  const admin = can('admin') && mode !== 'off';
  const tokens = useTokens(admin);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);

  return (
    <>
      <PageHead title="API tokens" subtitle="Credentials for people and services; sent as “Authorization: Bearer …”." />
      {mode === 'off' ? (
        <div className="notice" role="status">
          <div className="grow">
            This server runs without authentication (<code>CAUSEWAY_AUTH=off</code>): there are no tokens to manage.
          </div>
        </div>
      ) : !admin ? (
        <div className="notice warn" role="alert">
          <div className="grow">{needsRoleText('admin', role)}</div>
        </div>
      ) : (
        <>
          {created && <NewSecret token={created} onDone={() => setCreated(null)} />}
          <CreateTokenForm onCreated={setCreated} />
          <section className="section">
            <div className="section-head">
              <h2>Tokens</h2>
              {tokens.data && <span className="muted">{plural(tokens.data.length, 'token')}</span>}
            </div>
            {tokens.isPending ? (
              <Loading />
            ) : tokens.isError ? (
              <ErrorNote title="Could not load the tokens." error={tokens.error} onRetry={() => tokens.refetch()} />
            ) : tokens.data.length === 0 ? (
              <Empty title="No tokens yet">Create one above, or on the server with `causeway token create`.</Empty>
            ) : (
              <TokenTable tokens={tokens.data} />
            )}
          </section>
        </>
      )}
    </>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedApiToken) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [days, setDays] = useState('90');
  const [error, setError] = useState<unknown>(null);
  const create = useCreateToken();
  const fields = error instanceof ApiError ? error.fields : {};
  const daysInvalid = days.trim() !== '' && !(Number.isInteger(Number(days)) && Number(days) > 0);

  const submit = async () => {
    if (!name.trim() || daysInvalid) return;
    setError(null);
    try {
      const token = await create.mutateAsync({
        name: name.trim(),
        role,
        expires_in_days: days.trim() === '' ? null : Number(days),
      });
      onCreated(token);
      setName('');
    } catch (err) {
      setError(err);
    }
  };

  return (
    <form
      className="card card-body"
      noValidate
      aria-label="New token"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 style={{ marginBottom: '0.6rem' }}>New token</h2>
      <div className="grid-2">
        <Field label="Name" htmlFor="token-name" required hint="who or what uses it" errors={fields.name}>
          <input id="token-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        </Field>
        <Field label="Role" htmlFor="token-role" errors={fields.role}>
          <select id="token-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Expires after (days)"
          htmlFor="token-days"
          hint="empty: never"
          errors={daysInvalid ? ['A whole number of days above 0, or empty.'] : fields.expires_in_days}
        >
          <input id="token-days" type="number" min={1} step={1} value={days} onChange={(e) => setDays(e.target.value)} />
        </Field>
      </div>
      {error != null && Object.keys(fields).length === 0 && <ErrorNote error={error} />}
      <button type="submit" className="primary" disabled={create.isPending || !name.trim() || daysInvalid}>
        {create.isPending ? 'Creating…' : 'Create token'}
      </button>
    </form>
  );
}

/** The secret of a token just created: shown this once, with a copy button. */
function NewSecret({ token, onDone }: { token: CreatedApiToken; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const toast = useToast();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token.secret);
      setCopied(true);
    } catch {
      toast({ kind: 'error', title: 'Could not copy', text: 'Select the token and copy it by hand.' });
    }
  };
  return (
    <div className="notice secret" role="status" data-testid="new-token-secret" style={{ marginBottom: '1rem' }}>
      <div className="grow">
        <strong>
          Token “{token.name}” ({token.role}) created. Copy it now: it is not shown again.
        </strong>
        <div className="row" style={{ marginTop: '0.5rem' }}>
          <input
            readOnly
            className="mono"
            aria-label="New token secret"
            value={token.secret}
            onFocus={(e) => e.currentTarget.select()}
            style={{ flex: 1, minWidth: 200 }}
          />
          <button type="button" className="primary small" onClick={copy}>
            {copied ? 'Copied' : 'Copy'}
          </button>
          <button type="button" className="small" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
    </div>
  );
}

function TokenTable({ tokens }: { tokens: ApiToken[] }) {
  const revoke = useRevokeToken();
  const confirm = useConfirm();
  const toast = useToast();

  const onRevoke = async (token: ApiToken) => {
    const ok = await confirm({
      title: `Revoke token “${token.name}”?`,
      text: <p>Whoever uses it is refused from now on. This cannot be undone.</p>,
      confirmLabel: 'Revoke token',
      danger: true,
    });
    if (!ok) return;
    try {
      await revoke.mutateAsync(token.id);
      toast({ kind: 'success', title: `Token “${token.name}” revoked` });
    } catch (err) {
      toast({ kind: 'error', title: 'Could not revoke the token', text: errorMessage(err) });
    }
  };

  return (
    <div className="table-wrap">
      <table data-testid="token-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Role</th>
            <th>State</th>
            <th className="hide-sm">Created</th>
            <th className="hide-sm">Expires</th>
            <th className="hide-sm">Last used</th>
            <th className="num">
              <span className="hide-sm">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => {
            const state = tokenState(t);
            return (
              <tr key={t.id} data-token-id={t.id} data-state={state}>
                <td>
                  <strong>{t.name}</strong>
                  <div className="sub">by {t.created_by}</div>
                </td>
                <td>{t.role}</td>
                <td>
                  <Badge kind={STATE_KIND[state]}>{state}</Badge>
                </td>
                <td className="hide-sm nowrap">{formatDateTime(t.created_at)}</td>
                <td className="hide-sm nowrap">{t.expires_at ? formatDateTime(t.expires_at) : 'never'}</td>
                <td className="hide-sm nowrap">{t.last_used_at ? formatDateTime(t.last_used_at) : 'never'}</td>
                <td className="actions">
                  {state !== 'revoked' && (
                    <button className="small danger" onClick={() => onRevoke(t)} disabled={revoke.isPending}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
