/** Splits text with ANSI SGR colour codes into styled segments (other escapes are dropped). */
export interface Segment {
  text: string;
  /** CSS class names, e.g. "ansi-red ansi-bold" */
  className: string;
}

const COLORS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
const ESCAPE = /\x1b\[([0-9;]*)([A-Za-z])/g;

export function ansiSegments(line: string): Segment[] {
  const segments: Segment[] = [];
  let fg = '';
  let bold = false;
  let last = 0;
  const push = (text: string) => {
    if (!text) return;
    const className = [fg && `ansi-${fg}`, bold && 'ansi-bold'].filter(Boolean).join(' ');
    const prev = segments[segments.length - 1];
    if (prev && prev.className === className) prev.text += text;
    else segments.push({ text, className });
  };
  for (const match of line.matchAll(ESCAPE)) {
    push(line.slice(last, match.index));
    last = match.index! + match[0].length;
    if (match[2] !== 'm') continue;
    const codes = match[1] === '' ? [0] : match[1].split(';').map(Number);
    for (const code of codes) {
      if (code === 0) (fg = ''), (bold = false);
      else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if (code === 39) fg = '';
      else if (code >= 30 && code <= 37) fg = COLORS[code - 30];
      else if (code >= 90 && code <= 97) fg = COLORS[code - 90];
    }
  }
  push(line.slice(last));
  return segments;
}
