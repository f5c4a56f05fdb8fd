import { describe, expect, it } from 'vitest';
import { ansiSegments } from './ansi';
import { applyChunk, emptyLog, nextOffset, parse } from './logs';
import { deleteActionLabel, errorCodeText, logExcerpt } from './status';

describe('log following', () => {
  it('counts only complete lines towards the next offset', () => {
    const s = parse('a\nb\nhal');
    expect(s).toEqual({ lines: ['a', 'b'], partial: 'hal' });
    expect(nextOffset(s)).toBe(2);
  });

  it('appends what came after the offset, replacing the unfinished line', () => {
    let s = parse('a\nb\nhal');
    s = applyChunk(s, nextOffset(s), 'half done\nc\n');
    expect(s).toEqual({ lines: ['a', 'b', 'half done', 'c'], partial: '' });
    s = applyChunk(s, nextOffset(s), '');
    expect(nextOffset(s)).toBe(4);
  });

  it('starts over from offset 0', () => {
    expect(applyChunk(parse('x\ny\n'), 0, 'new\n')).toEqual({ lines: ['new'], partial: '' });
    expect(applyChunk(emptyLog, 0, '')).toEqual(emptyLog);
  });
});

describe('ansi', () => {
  it('turns colour codes into classes', () => {
    expect(ansiSegments('\x1b[31mred\x1b[0m plain \x1b[1;32mbold green')).toEqual([
      { text: 'red', className: 'ansi-red' },
      { text: ' plain ', className: '' },
      { text: 'bold green', className: 'ansi-green ansi-bold' },
    ]);
    expect(ansiSegments('no codes')).toEqual([{ text: 'no codes', className: '' }]);
    expect(ansiSegments('\x1b[2Kcleared')).toEqual([{ text: 'cleared', className: '' }]);
  });
});

describe('job status words', () => {
  it('explains error codes', () => {
    expect(errorCodeText(-1)).toMatch(/could not be scheduled/i);
    expect(errorCodeText(-2)).toMatch(/image was not found/i);
    expect(errorCodeText(-127)).toMatch(/unknown reason/i);
    expect(errorCodeText(7)).toMatch(/error code 7/);
    expect(errorCodeText(null)).toBeNull();
  });

  it('names the DELETE action by status', () => {
    expect(deleteActionLabel('running')).toBe('Cancel');
    expect(deleteActionLabel('waiting')).toBe('Cancel');
    expect(deleteActionLabel('done')).toBe('Hide');
    expect(deleteActionLabel('error')).toBe('Hide');
    expect(deleteActionLabel('hidden')).toBeNull();
  });
});

describe('logExcerpt', () => {
  it('takes the last non-empty line without colours', () => {
    expect(logExcerpt('starting\n\x1b[31mError: no image\x1b[0m\n\n')).toBe('Error: no image');
    expect(logExcerpt('')).toBeNull();
    expect(logExcerpt('x'.repeat(300))).toHaveLength(180);
  });
});
