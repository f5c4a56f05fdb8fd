// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { BrowserRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfirmProvider } from '../components/confirm';
import { ToastProvider } from '../components/toast';
import { AuthProvider } from './AuthProvider';
import { credentials } from './credentials';
import { fakeServer, meFor } from './fakeServer';
import { tokenState, TokensScreen } from './TokensScreen';
import type { ApiToken } from './types';

const token = (id: number, extra: Partial<ApiToken> = {}): ApiToken => ({
  id,
  name: `token ${id}`,
  role: 'viewer',
  created_by: 'admin-subject',
  created_at: '2026-12-01T10:00:00Z',
  expires_at: null,
  last_used_at: null,
  revoked_at: null,
  ...extra,
});

function setup(role: 'viewer' | 'admin') {
  let tokens = [token(3, { name: 'ci', role: 'editor' }), token(2, { revoked_at: '2026-12-02T10:00:00Z' })];
  const server = fakeServer({
    'GET /api/auth/config': () => [200, { mode: 'token', oidc: null }],
    'GET /api/auth/me': () => [200, meFor(role)],
    'GET /api/tokens': () => [200, tokens],
    'POST /api/tokens': (r) => {
      const body = r.body as { name: string; role: ApiToken['role'] };
      const created = token(4, { name: body.name, role: body.role });
      tokens = [created, ...tokens];
      return [200, { ...created, secret: 'cw_s3cret' }];
    },
    'DELETE /api/token/3': () => {
      tokens = tokens.map((t) => (t.id === 3 ? { ...t, revoked_at: '2026-12-04T10:00:00Z' } : t));
      return [200, tokens.find((t) => t.id === 3)];
    },
  });
  localStorage.setItem('causeway.apiToken', 'cw_admin');
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <BrowserRouter>
          <AuthProvider>
            <ConfirmProvider>
              <TokensScreen />
            </ConfirmProvider>
          </AuthProvider>
        </BrowserRouter>
      </ToastProvider>
    </QueryClientProvider>,
  );
  return server;
}

beforeEach(() => {
  localStorage.clear();
  credentials.set(null, 'admin');
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('API tokens page', () => {
  it('lists the tokens with their state', async () => {
    setup('admin');
    const table = await screen.findByTestId('token-table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-state'))).toEqual(['active', 'revoked']);
    expect(within(rows[0]).getByRole('button', { name: 'Revoke' })).toBeTruthy();
    expect(within(rows[1]).queryByRole('button', { name: 'Revoke' })).toBeNull();
  });

  it('creates a token and shows its secret once, with copy', async () => {
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const server = setup('admin');
    await screen.findByTestId('token-table');
    fireEvent.change(screen.getByLabelText(/Name/), { target: { value: 'nightly bench' } });
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'editor' } });
    fireEvent.change(screen.getByLabelText(/Expires after/), { target: { value: '30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    const secret = await screen.findByTestId('new-token-secret');
    expect(server.to('/api/tokens').find((r) => r.method === 'POST')!.body).toEqual({
      name: 'nightly bench',
      role: 'editor',
      expires_in_days: 30,
    });
    expect((within(secret).getByLabelText('New token secret') as HTMLInputElement).value).toBe('cw_s3cret');
    fireEvent.click(within(secret).getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('cw_s3cret'));
    await within(secret).findByRole('button', { name: 'Copied' });
    // the list is refetched; the secret goes away for good once dismissed
    await waitFor(() => expect(screen.getByTestId('token-table').querySelectorAll('tbody tr')).toHaveLength(3));
    fireEvent.click(within(secret).getByRole('button', { name: 'Done' }));
    expect(screen.queryByTestId('new-token-secret')).toBeNull();
    expect(document.body.textContent).not.toContain('cw_s3cret');
  });

  it('sends no expiry when the days are left empty', async () => {
    const server = setup('admin');
    await screen.findByTestId('token-table');
    fireEvent.change(screen.getByLabelText(/Name/), { target: { value: 'forever' } });
    fireEvent.change(screen.getByLabelText(/Expires after/), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    await screen.findByTestId('new-token-secret');
    expect((server.to('/api/tokens').find((r) => r.method === 'POST')!.body as { expires_in_days: unknown }).expires_in_days).toBeNull();
  });

  it('revokes a token after asking', async () => {
    const server = setup('admin');
    const table = await screen.findByTestId('token-table');
    fireEvent.click(within(table).getByRole('button', { name: 'Revoke' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke token' }));
    await waitFor(() => expect(server.to('/api/token/3').map((r) => r.method)).toEqual(['DELETE']));
    await waitFor(() => expect(within(table).queryByRole('button', { name: 'Revoke' })).toBeNull());
  });

  it('is for admins only', async () => {
    const server = setup('viewer');
    await screen.findByText('Needs the admin role; you are a viewer.');
    expect(server.to('/api/tokens')).toHaveLength(0);
  });

  it('has nothing to manage with auth off', async () => {
    const server = fakeServer({ 'GET /api/auth/config': () => [200, { mode: 'off', oidc: null }] });
    const queryClient = new QueryClient();
    render(
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <AuthProvider>
            <TokensScreen />
          </AuthProvider>
        </BrowserRouter>
      </QueryClientProvider>,
    );
    await screen.findByText(/runs without authentication/);
    expect(server.to('/api/tokens')).toHaveLength(0);
  });

  it('tells active, expired and revoked apart', () => {
    const now = Date.parse('2026-12-04T00:00:00Z');
    expect(tokenState(token(1), now)).toBe('active');
    expect(tokenState(token(1, { expires_at: '2026-12-03T00:00:00Z' }), now)).toBe('expired');
    expect(tokenState(token(1, { expires_at: '2027-01-01T00:00:00Z', revoked_at: '2026-12-01T00:00:00Z' }), now)).toBe('revoked');
  });
});
