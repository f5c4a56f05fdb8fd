/** Where the issuer sends the browser back after a login (and the silent-renew frame loads). */
export const OIDC_CALLBACK_PATH = '/auth/callback';

/** The admin page of API tokens. */
export const TOKENS_PATH = '/tokens';
