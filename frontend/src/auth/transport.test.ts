// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { downloadWithCredentials, filenameFromDisposition } from '../api/download';
import { ApiError } from '../api/errors';
import { postForm } from '../api/upload';
import { liveAddress } from '../live/LiveProvider';
import { credentials } from './credentials';
import { fakeServer } from './fakeServer';

beforeEach(() => credentials.set('cw_test', 'viewer'));
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  credentials.set(null, 'admin');
});

describe('downloads', () => {
  it('reads the file name of a Content-Disposition header', () => {
    expect(filenameFromDisposition('attachment; filename="alarm data.csv"')).toBe('alarm data.csv');
    expect(filenameFromDisposition('attachment; filename=result_4.gml')).toBe('result_4.gml');
    expect(filenameFromDisposition("attachment; filename=\"x.csv\"; filename*=UTF-8''%C3%A9t%C3%A9.csv")).toBe('été.csv');
    expect(filenameFromDisposition('inline')).toBeNull();
    expect(filenameFromDisposition(null)).toBeNull();
  });

  it('fetches with the bearer and saves under the server’s name', async () => {
    const server = fakeServer({
      'GET /api/dataset/5/load': () =>
        new Response('a,b\n1,2\n', { headers: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="five.csv"' } }),
    });
    const saved: string[] = [];
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:x', revokeObjectURL: () => {} }));
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    await downloadWithCredentials('/api/dataset/5/load', 'fallback.csv');
    expect(server.to('/api/dataset/5/load')[0].authorization).toBe('Bearer cw_test');
    expect(saved).toEqual(['five.csv']);
  });

  it('turns a refused download into the server’s message', async () => {
    fakeServer({ 'GET /api/result/1/export': () => [404, { message: 'No such result.' }] });
    await expect(downloadWithCredentials('/api/result/1/export?format=GML', 'r.gml')).rejects.toThrow('No such result.');
  });
});

class FakeXhr {
  static last: FakeXhr;
  headers: Record<string, string> = {};
  upload = { onprogress: null };
  status = 0;
  responseText = '';
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor() {
    FakeXhr.last = this;
  }
  open() {}
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send() {}
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

describe('uploads', () => {
  it('send the bearer, name the role on a 403 and report a 401', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const forbidden = postForm('/api/datasets/upload', new FormData());
    expect(FakeXhr.last.headers).toEqual({ Authorization: 'Bearer cw_test' });
    FakeXhr.last.answer(403, { message: 'Forbidden' });
    await expect(forbidden).rejects.toThrow('Forbidden. Needs the editor role; you are a viewer.');

    const rejected = vi.fn();
    const off = credentials.onRejected(rejected);
    const unauthorized = postForm('/api/datasets/upload', new FormData());
    FakeXhr.last.answer(401, { message: 'Token expired.' });
    await expect(unauthorized).rejects.toBeInstanceOf(ApiError);
    expect(rejected).toHaveBeenCalledTimes(1);
    off();
  });
});

describe('live feed address', () => {
  it('is the plain /ws with auth off, and a fresh ticket per attempt otherwise', async () => {
    expect(liveAddress(false)).toBe('ws://localhost:3000/ws');
    let n = 0;
    const address = liveAddress(true, async () => ({ ticket: `t/${++n}`, expires_in: 30 }));
    expect(typeof address).toBe('function');
    const resolve = address as () => Promise<string>;
    expect(await resolve()).toBe('ws://localhost:3000/ws?ticket=t%2F1');
    expect(await resolve()).toBe('ws://localhost:3000/ws?ticket=t%2F2');
  });

  it('asks for the ticket with the credentials', async () => {
    const server = fakeServer({ 'POST /api/ws-ticket': () => [200, { ticket: 'abc', expires_in: 30 }] });
    expect(await (liveAddress(true) as () => Promise<string>)()).toBe('ws://localhost:3000/ws?ticket=abc');
    expect(server.to('/api/ws-ticket')[0].authorization).toBe('Bearer cw_test');
  });
});
