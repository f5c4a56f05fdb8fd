import { credentials, explainRefusal } from '../auth/credentials';
import { toApiError, ApiError } from './errors';

/**
 * POSTs a multipart form with upload progress (fetch cannot report it). Resolves with the
 * parsed JSON answer, rejects with an ApiError carrying the server's message.
 */
export function postForm<T>(url: string, form: FormData, onProgress?: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(credentials.header())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'Cannot reach the Causeway server. Is it running?'));
    xhr.onload = () => {
      let body: unknown = xhr.responseText;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        /* keep the text */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(toApiError(xhr.status, explainRefusal('POST', url, xhr.status, body)));
    };
    xhr.send(form);
  });
}
