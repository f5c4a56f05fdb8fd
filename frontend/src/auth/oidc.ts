/**
 * OIDC sign-in through oidc-client-ts: the authorization-code flow with PKCE, silent renewal
 * before the access token expires, and logout at the issuer when it offers one. Loaded only in
 * oidc mode (AuthProvider imports it lazily), so the library is not in the first bundle.
 */
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { OIDC_CALLBACK_PATH } from './paths';
import type { OidcSettings } from './types';

export interface OidcSession {
  /** the stored user's access token; null when there is none or it has expired */
  accessToken(): Promise<string | null>;
  /** sends the browser to the issuer; after the callback the app returns to `returnTo` */
  login(returnTo: string): Promise<void>;
  /**
   * Completes a redirect back from the issuer: the path to return to; null inside the hidden
   * frame of a silent renewal (which only hands its answer to the page).
   */
  completeCallback(): Promise<string | null>;
  /** logs out at the issuer when it has an end-session endpoint ('redirect'), else only here */
  logout(): Promise<'redirect' | 'local'>;
  /** forgets the stored user (after a 401) */
  forget(): Promise<void>;
  /** told of every new access token (silent renewal) and of its loss (null) */
  onToken(fn: (token: string | null) => void): () => void;
}

interface ReturnState {
  returnTo?: string;
}

/** The UserManager settings for the server's OIDC settings (exported for the tests). */
export function userManagerSettings(settings: OidcSettings, origin: string) {
  return {
    authority: settings.issuer,
    client_id: settings.client_id,
    scope: settings.scope,
    redirect_uri: origin + OIDC_CALLBACK_PATH,
    silent_redirect_uri: origin + OIDC_CALLBACK_PATH,
    post_logout_redirect_uri: origin,
    // The authorization-code flow; oidc-client-ts adds PKCE (S256) to it unless disabled.
    response_type: 'code',
    disablePKCE: false,
    automaticSilentRenew: true,
    // Shared by the tabs of this origin, like the API token of token mode.
    userStore: new WebStorageStateStore({ store: window.localStorage }),
  };
}

const usable = (user: User | null) => (user && !user.expired ? user.access_token : null);

export function createOidcSession(settings: OidcSettings, origin = window.location.origin): OidcSession {
  const manager = new UserManager(userManagerSettings(settings, origin));
  return {
    accessToken: async () => usable(await manager.getUser()),
    login: (returnTo) => manager.signinRedirect({ state: { returnTo } satisfies ReturnState }),
    async completeCallback() {
      if (window.parent !== window) {
        await manager.signinSilentCallback();
        return null;
      }
      const user = await manager.signinRedirectCallback();
      const returnTo = (user.state as ReturnState | undefined)?.returnTo;
      // Only a path on this origin: the state came back through the browser.
      return returnTo && returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/';
    },
    async logout() {
      const endSession = await manager.metadataService.getEndSessionEndpoint().catch(() => undefined);
      if (endSession) {
        await manager.signoutRedirect();
        return 'redirect';
      }
      await manager.removeUser();
      return 'local';
    },
    forget: () => manager.removeUser(),
    onToken(fn) {
      const offLoaded = manager.events.addUserLoaded((user) => fn(usable(user)));
      const offUnloaded = manager.events.addUserUnloaded(() => fn(null));
      return () => {
        offLoaded();
        offUnloaded();
      };
    },
  };
}
