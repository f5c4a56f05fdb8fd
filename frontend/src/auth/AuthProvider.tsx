import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, errorMessage } from '../api/errors';
import { ErrorNote, Loading } from '../components/ui';
import { fetchAuthConfig, fetchMe } from './authApi';
import { credentials } from './credentials';
import { LoginScreen } from './LoginScreen';
import type { OidcSession } from './oidc';
import { OIDC_CALLBACK_PATH } from './paths';
import { tokenStore } from './tokenStore';
import { ANONYMOUS, type AuthConfig, type AuthMode, type Me } from './types';

export interface AuthContextValue {
  mode: AuthMode;
  me: Me;
  logout: () => void;
}

// Outside a provider (unit tests of single components) the app behaves as with auth off.
const AuthContext = createContext<AuthContextValue>({ mode: 'off', me: ANONYMOUS, logout: () => {} });

/** Who is signed in, in which mode, and how to log out. */
export const useAuth = () => useContext(AuthContext);

type Phase =
  | { kind: 'loading' }
  | { kind: 'unreachable'; error: unknown }
  | { kind: 'login'; reason: string | null }
  | { kind: 'silent-renew' }
  | { kind: 'ready'; me: Me };

const REJECTED = {
  token: 'The server no longer accepts your token (it expired or was revoked). Enter a token to go on.',
  oidc: 'Your session has ended. Log in again to go on.',
};

interface Props {
  children: ReactNode;
  /** the config request, when it was started before React mounted (App.tsx) */
  initialConfig?: Promise<AuthConfig>;
  /** the OIDC session factory; lazily loaded so that oidc-client-ts is not in the first bundle */
  loadOidc?: () => Promise<(settings: NonNullable<AuthConfig['oidc']>) => OidcSession>;
}

const importOidc = () => import('./oidc').then((m) => (settings: NonNullable<AuthConfig['oidc']>) => m.createOidcSession(settings));

/**
 * Reads the server's auth mode and gates the app on it: with auth off the app shows at once;
 * in token or oidc mode a login screen stands in for it until the credentials are accepted,
 * and again after any 401.
 */
export function AuthProvider({ children, initialConfig, loadOidc = importOidc }: Props) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [mode, setMode] = useState<AuthMode>('off');
  const [phase, setPhaseState] = useState<Phase>({ kind: 'loading' });
  const phaseRef = useRef<Phase>(phase);
  const modeRef = useRef<AuthMode>(mode);
  const oidc = useRef<OidcSession | null>(null);
  const pendingConfig = useRef(initialConfig);
  const [attempt, setAttempt] = useState(0);

  const setPhase = useCallback((next: Phase) => {
    phaseRef.current = next;
    setPhaseState(next);
  }, []);

  /** Signs in with `token`: ready, or the reason it was refused (the caller shows it). */
  const verify = useCallback(
    async (token: string): Promise<string | null> => {
      credentials.set(token);
      try {
        const me = await fetchMe();
        credentials.set(token, me.role);
        setPhase({ kind: 'ready', me });
        return null;
      } catch (err) {
        credentials.set(null);
        if (err instanceof ApiError && err.status === 401) return errorMessage(err);
        setPhase({ kind: 'unreachable', error: err });
        return null;
      }
    },
    [setPhase],
  );

  // Start-up: the mode, then the stored credentials (or the OIDC callback). Once per attempt:
  // the callback's state can be redeemed only once, so StrictMode's second run must not repeat it.
  const startedAttempt = useRef(-1);
  const navigateRef = useRef(navigate);
  navigateRef.current = navigate;
  const loadOidcRef = useRef(loadOidc);
  loadOidcRef.current = loadOidc;
  useEffect(() => {
    if (startedAttempt.current === attempt) return;
    startedAttempt.current = attempt;
    const start = async () => {
      let config: AuthConfig;
      try {
        config = await (pendingConfig.current ?? fetchAuthConfig());
      } catch (err) {
        // A server without the auth operations predates authentication: nothing to log in to.
        if (!(err instanceof ApiError && err.status === 404)) return setPhase({ kind: 'unreachable', error: err });
        config = { mode: 'off', oidc: null };
      } finally {
        pendingConfig.current = undefined;
      }
      modeRef.current = config.mode;
      setMode(config.mode);

      if (config.mode === 'off') {
        credentials.set(null, 'admin');
        return setPhase({ kind: 'ready', me: ANONYMOUS });
      }
      if (config.mode === 'token') {
        const stored = tokenStore.read();
        if (!stored) return setPhase({ kind: 'login', reason: null });
        const refused = await verify(stored);
        if (refused === null) return;
        tokenStore.clear();
        return setPhase({ kind: 'login', reason: `The stored token was not accepted: ${refused}` });
      }
      if (!config.oidc) {
        return setPhase({ kind: 'unreachable', error: new Error('The server is in oidc mode but sent no OIDC settings.') });
      }
      const session = (await loadOidcRef.current())(config.oidc);
      oidc.current = session;
      session.onToken((token) => credentials.set(token));
      if (window.location.pathname === OIDC_CALLBACK_PATH) {
        let returnTo: string | null;
        try {
          returnTo = await session.completeCallback();
        } catch (err) {
          navigateRef.current('/', { replace: true });
          return setPhase({ kind: 'login', reason: `The login did not complete: ${errorMessage(err)}` });
        }
        if (returnTo === null) return setPhase({ kind: 'silent-renew' });
        navigateRef.current(returnTo, { replace: true });
      }
      const token = await session.accessToken();
      if (!token) return setPhase({ kind: 'login', reason: null });
      if ((await verify(token)) === null) return;
      await session.forget();
      setPhase({ kind: 'login', reason: REJECTED.oidc });
    };
    start().catch((err: unknown) => setPhase({ kind: 'unreachable', error: err }));
  }, [attempt, setPhase, verify]);

  // Any 401 while signed in: back to the login, nothing of the old session kept.
  useEffect(
    () =>
      credentials.onRejected(() => {
        const current = modeRef.current;
        if (phaseRef.current.kind !== 'ready' || current === 'off') return;
        credentials.set(null);
        if (current === 'token') tokenStore.clear();
        else void oidc.current?.forget();
        setPhase({ kind: 'login', reason: REJECTED[current] });
        queryClient.clear();
      }),
    [queryClient, setPhase],
  );

  const logout = useCallback(() => {
    credentials.set(null);
    queryClient.clear();
    if (modeRef.current === 'token') tokenStore.clear();
    setPhase({ kind: 'login', reason: null });
    if (modeRef.current === 'oidc' && oidc.current) void oidc.current.logout();
  }, [queryClient, setPhase]);

  const submitToken = useCallback(
    async (token: string) => {
      const refused = await verify(token);
      if (refused === null) {
        tokenStore.write(token);
        queryClient.clear();
      }
      return refused;
    },
    [queryClient, verify],
  );

  const oidcLogin = useCallback(async () => {
    const { pathname, search, hash } = window.location;
    await oidc.current?.login(pathname === OIDC_CALLBACK_PATH ? '/' : pathname + search + hash);
  }, []);

  const me = phase.kind === 'ready' ? phase.me : null;
  const value = useMemo(() => (me ? { mode, me, logout } : null), [mode, me, logout]);

  switch (phase.kind) {
    case 'loading':
      return (
        <div className="auth-page">
          <Loading>Connecting to Causeway…</Loading>
        </div>
      );
    case 'unreachable':
      return (
        <div className="auth-page">
          <ErrorNote
            title="Cannot start Causeway."
            error={phase.error}
            onRetry={() => {
              setPhase({ kind: 'loading' });
              setAttempt((n) => n + 1);
            }}
          />
        </div>
      );
    case 'silent-renew':
      return null;
    case 'login':
      return mode === 'token' ? (
        <LoginScreen mode="token" reason={phase.reason} onSubmitToken={submitToken} />
      ) : (
        <LoginScreen mode="oidc" reason={phase.reason} onLogin={oidcLogin} />
      );
    case 'ready':
      return <AuthContext.Provider value={value!}>{children}</AuthContext.Provider>;
  }
}
