/** Field name → messages, as the API sends them for invalid input. */
export type FieldErrors = Record<string, string[]>;

/** An API failure, with the server's message (or field map) when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly fields: FieldErrors;

  constructor(status: number, message: string, fields: FieldErrors = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fields = fields;
  }

  /** Whether the server described the problem per field. */
  get hasFields(): boolean {
    return Object.keys(this.fields).length > 0;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request was invalid.',
  404: 'Not found.',
  409: 'The request conflicts with the current state.',
  500: 'The server failed; details are in its log.',
};

/**
 * Turns an error body (`{"message": string | {field: [messages]}}`, or anything else) into an
 * ApiError.
 */
export function toApiError(status: number, body: unknown): ApiError {
  const message = body && typeof body === 'object' ? (body as { message?: unknown }).message : body;
  if (typeof message === 'string' && message.trim() !== '') return new ApiError(status, message);
  if (message && typeof message === 'object' && !Array.isArray(message)) {
    const fields: FieldErrors = {};
    for (const [field, value] of Object.entries(message as Record<string, unknown>)) {
      if (Array.isArray(value)) fields[field] = value.map(String);
      else if (value != null) fields[field] = [String(value)];
    }
    const summary = Object.entries(fields)
      .map(([field, msgs]) => `${field}: ${msgs.join(' ')}`)
      .join('; ');
    return new ApiError(status, summary || STATUS_TEXT[status] || `HTTP ${status}`, fields);
  }
  return new ApiError(status, STATUS_TEXT[status] ?? `The server answered HTTP ${status}.`);
}

/** A readable sentence for anything thrown by an API call. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
