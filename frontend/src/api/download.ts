import { authFetch } from '../auth/credentials';
import { saveBlob } from '../util/format';
import { toApiError } from './errors';

/** The file name a Content-Disposition header gives (RFC 6266: `filename*` before `filename`). */
export function filenameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[2].trim());
    } catch {
      /* fall back to the plain parameter */
    }
  }
  const plain = /filename\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]+)/i.exec(header);
  if (!plain) return null;
  return (plain[2] !== undefined ? plain[2].replace(/\\(.)/g, '$1') : plain[1]).trim() || null;
}

/**
 * Downloads `url` with the credentials (a plain link cannot send the Authorization header) and
 * saves it under the server's file name, else `fallbackName`. Throws an ApiError on failure.
 */
export async function downloadWithCredentials(url: string, fallbackName: string): Promise<void> {
  const response = await authFetch(url);
  if (!response.ok) {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* keep the text */
    }
    throw toApiError(response.status, body);
  }
  const name = filenameFromDisposition(response.headers.get('content-disposition')) ?? fallbackName;
  saveBlob(await response.blob(), name);
}
