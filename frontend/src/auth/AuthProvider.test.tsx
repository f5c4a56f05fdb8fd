// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState, type ReactNode } from 'react';
import { BrowserRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, unwrap } from '../api/client';
import { ConfirmProvider } from '../components/confirm';
import { DownloadLink } from '../components/DownloadLink';
import { ToastProvider } from '../components/toast';
import { ErrorNote } from '../components/ui';
import { DatasetsScreen } from '../screens/datasets/DatasetsScreen';
import { AuthProvider } from './AuthProvider';
import { credentials } from './credentials';
import { fakeServer, meFor, type Routes } from './fakeServer';
import { UserMenu } from './UserMenu';

const TOKEN_KEY = 'causeway.apiToken';

function renderApp(children: ReactNode) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <BrowserRouter>
          <AuthProvider>
            <ConfirmProvider>
              <UserMenu />
              {children}
            </ConfirmProvider>
          </AuthProvider>
        </BrowserRouter>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

/** Makes one API call on a click and shows its error as the screens do. */
function Caller({ label, call }: { label: string; call: () => Promise<unknown> }) {
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <button onClick={() => call().catch(setError)}>{label}</button>
      {error != null && <ErrorNote error={error} />}
    </>
  );
}

const tokenMode = (role: 'viewer' | 'editor' | 'admin', extra: Routes = {}): Routes => ({
  'GET /api/auth/config': () => [200, { mode: 'token', oidc: null }],
  'GET /api/auth/me': (r) => (r.authorization === 'Bearer cw_good' ? [200, meFor(role)] : [401, { message: 'Unknown or revoked token.' }]),
  'GET /api/datasets': (r) => (r.authorization === 'Bearer cw_good' ? [200, []] : [401, { message: 'Credentials required.' }]),
  ...extra,
});

beforeEach(() => {
  localStorage.clear();
  window.history.pushState({}, '', '/');
  credentials.set(null, 'admin');
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('auth off', () => {
  it('shows the app at once, with no login, no account menu and no bearer', async () => {
    const server = fakeServer({
      'GET /api/auth/config': () => [200, { mode: 'off', oidc: null }],
      'GET /api/datasets': () => [200, []],
    });
    renderApp(<DatasetsScreen />);
    const upload = await screen.findByRole('button', { name: 'Upload CSV' });
    expect((upload as HTMLButtonElement).disabled).toBe(false);
    expect(screen.queryByTestId('user-menu')).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Log in' })).toBeNull();
    await waitFor(() => expect(server.to('/api/datasets')).toHaveLength(1));
    expect(server.to('/api/datasets')[0].authorization).toBeNull();
    expect(server.to('/api/auth/me')).toHaveLength(0);
  });
});

describe('token mode', () => {
  it('asks for a token when none is stored, and says how to get one', async () => {
    const server = fakeServer(tokenMode('viewer'));
    renderApp(<DatasetsScreen />);
    await screen.findByRole('heading', { name: 'Log in' });
    expect(screen.getByLabelText('API token')).toBeTruthy();
    expect(screen.getByText(/causeway token create --name/)).toBeTruthy();
    expect(server.to('/api/datasets')).toHaveLength(0);
  });

  it('refuses a bad token with the server’s reason, then logs in with a good one and sends it on every request', async () => {
    const server = fakeServer(tokenMode('viewer'));
    renderApp(<DatasetsScreen />);
    const input = await screen.findByLabelText('API token');
    fireEvent.change(input, { target: { value: 'cw_bad' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await screen.findByText(/This token was not accepted: Unknown or revoked token\./);
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull();

    fireEvent.change(input, { target: { value: ' cw_good ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    const upload = await screen.findByRole('button', { name: 'Upload CSV' });
    expect(localStorage.getItem(TOKEN_KEY)).toBe('cw_good');
    // who is logged in, with the role
    expect(screen.getByTestId('user-menu').textContent).toContain('Ada viewer');
    expect(screen.getByTestId('user-role').textContent).toBe('viewer');
    // every request carries the bearer
    await waitFor(() => expect(server.to('/api/datasets').length).toBeGreaterThan(0));
    expect(server.to('/api/datasets').every((r) => r.authorization === 'Bearer cw_good')).toBe(true);
    // a viewer cannot create: disabled, with a tooltip naming the role
    expect((upload as HTMLButtonElement).disabled).toBe(true);
    expect(upload.getAttribute('title')).toBe('Needs the editor role; you are a viewer.');
    expect((screen.getByRole('button', { name: 'New from query' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('enables the editor’s buttons for an editor', async () => {
    fakeServer(tokenMode('editor'));
    localStorage.setItem(TOKEN_KEY, 'cw_good');
    renderApp(<DatasetsScreen />);
    const upload = await screen.findByRole('button', { name: 'Upload CSV' });
    expect((upload as HTMLButtonElement).disabled).toBe(false);
    expect(upload.getAttribute('title')).toBeNull();
  });

  it('uses a stored token, and asks again when the server no longer accepts it', async () => {
    fakeServer(tokenMode('viewer'));
    localStorage.setItem(TOKEN_KEY, 'cw_revoked');
    renderApp(<DatasetsScreen />);
    await screen.findByRole('heading', { name: 'Log in' });
    expect(screen.getByTestId('login-reason').textContent).toContain('The stored token was not accepted');
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it('goes back to the login on a 401 anywhere', async () => {
    fakeServer(tokenMode('editor', { 'GET /api/jobs': () => [401, { message: 'Token expired.' }] }));
    localStorage.setItem(TOKEN_KEY, 'cw_good');
    renderApp(<Caller label="Load jobs" call={() => unwrap(api.GET('/jobs'))} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Load jobs' }));
    await screen.findByRole('heading', { name: 'Log in' });
    expect(screen.getByTestId('login-reason').textContent).toMatch(/no longer accepts your token/);
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
    expect(credentials.token).toBeNull();
  });

  it('shows a 403 with the role it needs', async () => {
    const server = fakeServer(tokenMode('viewer', { 'DELETE /api/dataset/7': () => [403, { message: 'Forbidden' }] }));
    localStorage.setItem(TOKEN_KEY, 'cw_good');
    renderApp(
      <Caller label="Delete" call={() => unwrap(api.DELETE('/dataset/{dataset_id}', { params: { path: { dataset_id: 7 } } }))} />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    const note = await screen.findByRole('alert');
    expect(note.textContent).toContain('Forbidden. Needs the editor role; you are a viewer.');
    // a 403 is not a logout
    expect(screen.getByTestId('user-menu')).toBeTruthy();
    expect(server.to('/api/dataset/7')[0].authorization).toBe('Bearer cw_good');
  });

  it('downloads with the bearer, since a plain link cannot carry it', async () => {
    const server = fakeServer(
      tokenMode('viewer', { 'GET /api/dataset/5/load': () => new Response('a\n1\n', { headers: { 'content-type': 'text/csv' } }) }),
    );
    localStorage.setItem(TOKEN_KEY, 'cw_good');
    const saved: string[] = [];
    URL.createObjectURL = () => 'blob:x';
    URL.revokeObjectURL = () => {};
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    renderApp(
      <DownloadLink href="/api/dataset/5/load" filename="five.csv">
        CSV
      </DownloadLink>,
    );
    fireEvent.click(await screen.findByRole('link', { name: 'CSV' }));
    await waitFor(() => expect(saved).toEqual(['five.csv']));
    expect(server.to('/api/dataset/5/load')[0].authorization).toBe('Bearer cw_good');
    click.mockRestore();
  });

  it('logs out: the token is forgotten and the login shows', async () => {
    fakeServer(tokenMode('viewer'));
    localStorage.setItem(TOKEN_KEY, 'cw_good');
    renderApp(<DatasetsScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'Log out' }));
    await screen.findByRole('heading', { name: 'Log in' });
    expect(screen.queryByTestId('login-reason')).toBeNull();
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
    expect(credentials.token).toBeNull();
  });
});

describe('start-up failures', () => {
  it('offers a retry when the server cannot be reached', async () => {
    let up = false;
    fakeServer({
      'GET /api/auth/config': () => (up ? [200, { mode: 'off', oidc: null }] : [503, { message: 'Starting up.' }]),
      'GET /api/datasets': () => [200, []],
    });
    renderApp(<DatasetsScreen />);
    await screen.findByText('Starting up.');
    up = true;
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await screen.findByRole('button', { name: 'Upload CSV' });
  });
});
