/** The API token of token mode, kept in localStorage so that it survives reloads and tabs. */
const KEY = 'causeway.apiToken';

export const tokenStore = {
  read(): string | null {
    try {
      return localStorage.getItem(KEY);
    } catch {
      return null; // storage disabled: the token lasts as long as the page
    }
  },
  write(token: string): void {
    try {
      localStorage.setItem(KEY, token);
    } catch {
      /* see read */
    }
  },
  clear(): void {
    try {
      localStorage.removeItem(KEY);
    } catch {
      /* see read */
    }
  },
};
