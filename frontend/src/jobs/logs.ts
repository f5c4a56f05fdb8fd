/**
 * Following a log with `GET /api/job/{id}/logs?offset=N`, which answers the lines from index N
 * on (0-based, split on "\n"). Only complete lines count towards the next offset; an unfinished
 * last line is shown but fetched again.
 */
export interface LogState {
  lines: string[];
  /** the unfinished last line ('' when the text ended with a newline) */
  partial: string;
}

export const emptyLog: LogState = { lines: [], partial: '' };

/** The state after receiving `text`, which starts at line `offset` of the log. */
export function applyChunk(state: LogState, offset: number, text: string): LogState {
  if (offset === 0) return parse(text);
  if (text === '') return state;
  const chunk = parse(text);
  return { lines: [...state.lines.slice(0, offset), ...chunk.lines], partial: chunk.partial };
}

export function parse(text: string): LogState {
  if (text === '') return emptyLog;
  const parts = text.split('\n');
  const partial = parts.pop() ?? '';
  return { lines: parts, partial };
}

/** The offset to ask for next: every complete line we have. */
export const nextOffset = (state: LogState) => state.lines.length;

export const lineCount = (state: LogState) => state.lines.length + (state.partial ? 1 : 0);
