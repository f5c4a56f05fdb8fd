// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { BrowserRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, unwrap } from '../api/client';
import { AuthProvider } from './AuthProvider';
import { credentials } from './credentials';
import { fakeServer, meFor } from './fakeServer';
import { UserMenu } from './UserMenu';

// oidc-client-ts stands in: the tests check what Causeway asks of it.
const oidc = vi.hoisted(() => ({
  managers: [] as { settings: Record<string, unknown>; calls: Record<string, unknown[]> }[],
  user: null as null | { access_token: string; expired: boolean },
  callbackUser: null as null | { state: unknown },
  endSession: undefined as string | undefined,
  onLoaded: null as null | ((user: { access_token: string; expired: boolean }) => void),
}));

vi.mock('oidc-client-ts', () => {
  class WebStorageStateStore {
    constructor(readonly options: { store: Storage }) {}
  }
  class UserManager {
    calls: Record<string, unknown[]> = {};
    constructor(readonly settings: Record<string, unknown>) {
      oidc.managers.push(this);
    }
    private record(name: string, arg?: unknown) {
      this.calls[name] = [...(this.calls[name] ?? []), arg];
    }
    getUser = async () => oidc.user;
    signinRedirect = async (args: unknown) => this.record('signinRedirect', args);
    signinRedirectCallback = async () => {
      this.record('signinRedirectCallback');
      return oidc.callbackUser;
    };
    signinSilentCallback = async () => this.record('signinSilentCallback');
    signoutRedirect = async () => this.record('signoutRedirect');
    removeUser = async () => {
      this.record('removeUser');
      oidc.user = null;
    };
    metadataService = { getEndSessionEndpoint: async () => oidc.endSession };
    events = {
      addUserLoaded: (cb: typeof oidc.onLoaded) => {
        oidc.onLoaded = cb;
        return () => {};
      },
      addUserUnloaded: () => () => {},
    };
  }
  return { UserManager, WebStorageStateStore };
});

const OIDC = { issuer: 'https://id.example/realms/cw', client_id: 'causeway-ui', scope: 'openid profile email' };

function oidcServer() {
  return fakeServer({
    'GET /api/auth/config': () => [200, { mode: 'oidc', oidc: OIDC }],
    'GET /api/auth/me': (r) => (r.authorization?.startsWith('Bearer at') ? [200, meFor('editor', 'oidc')] : [401, { message: 'Bad token.' }]),
    'GET /api/jobs': () => [200, []],
  });
}

function renderApp() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AuthProvider>
          <UserMenu />
          <p>the app</p>
        </AuthProvider>
      </BrowserRouter>
    </QueryClientProvider>,
  );
}

const manager = () => oidc.managers[oidc.managers.length - 1];

beforeEach(() => {
  oidc.managers.length = 0;
  oidc.user = null;
  oidc.callbackUser = null;
  oidc.endSession = undefined;
  credentials.set(null, 'admin');
  window.history.pushState({}, '', '/');
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('oidc mode', () => {
  it('creates a UserManager for the authorization-code flow with PKCE and logs in by redirect, remembering the page', async () => {
    oidcServer();
    window.history.pushState({}, '', '/experiments?dataset=2');
    renderApp();
    const login = await screen.findByRole('button', { name: 'Log in' });
    expect(screen.queryByText('the app')).toBeNull();
    expect(manager().settings).toMatchObject({
      authority: OIDC.issuer,
      client_id: OIDC.client_id,
      scope: OIDC.scope,
      redirect_uri: 'http://localhost:3000/auth/callback',
      post_logout_redirect_uri: 'http://localhost:3000',
      response_type: 'code',
      disablePKCE: false,
      automaticSilentRenew: true,
    });
    fireEvent.click(login);
    await waitFor(() => expect(manager().calls.signinRedirect).toEqual([{ state: { returnTo: '/experiments?dataset=2' } }]));
  });

  it('completes the callback, goes back where the user was and sends the access token, renewed or not', async () => {
    const server = oidcServer();
    window.history.pushState({}, '', '/auth/callback?code=abc&state=xyz');
    oidc.callbackUser = { state: { returnTo: '/jobs' } };
    oidc.user = { access_token: 'at1', expired: false };
    renderApp();
    await screen.findByText('the app');
    expect(manager().calls.signinRedirectCallback).toHaveLength(1);
    expect(window.location.pathname).toBe('/jobs');
    expect(screen.getByTestId('user-menu').textContent).toContain('Ada editor');
    expect(server.to('/api/auth/me')[0].authorization).toBe('Bearer at1');

    // silent renewal hands over a new access token; the next request carries it
    oidc.onLoaded!({ access_token: 'at2', expired: false });
    await unwrap(api.GET('/jobs'));
    expect(server.to('/api/jobs')[0].authorization).toBe('Bearer at2');
  });

  it('never returns to another origin after the callback', async () => {
    oidcServer();
    window.history.pushState({}, '', '/auth/callback?code=abc&state=xyz');
    oidc.callbackUser = { state: { returnTo: '//evil.example/' } };
    oidc.user = { access_token: 'at1', expired: false };
    renderApp();
    await screen.findByText('the app');
    expect(window.location.pathname).toBe('/');
  });

  it('asks to log in again when the stored access token has expired', async () => {
    oidcServer();
    oidc.user = { access_token: 'at1', expired: true };
    renderApp();
    await screen.findByRole('button', { name: 'Log in' });
  });

  it('logs out at the issuer when it has an end-session endpoint', async () => {
    oidcServer();
    oidc.user = { access_token: 'at1', expired: false };
    oidc.endSession = 'https://id.example/realms/cw/protocol/openid-connect/logout';
    renderApp();
    fireEvent.click(await screen.findByRole('button', { name: 'Log out' }));
    await waitFor(() => expect(manager().calls.signoutRedirect).toHaveLength(1));
    expect(manager().calls.removeUser).toBeUndefined();
    expect(credentials.token).toBeNull();
  });

  it('logs out locally when the issuer has no end-session endpoint', async () => {
    oidcServer();
    oidc.user = { access_token: 'at1', expired: false };
    renderApp();
    fireEvent.click(await screen.findByRole('button', { name: 'Log out' }));
    await screen.findByRole('button', { name: 'Log in' });
    await waitFor(() => expect(manager().calls.removeUser).toHaveLength(1));
    expect(manager().calls.signoutRedirect).toBeUndefined();
  });
});
