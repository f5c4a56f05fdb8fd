import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EventFeed, liveUrl, type LiveEvent, type ResyncReason, type SocketLike } from './feed';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  constructor(readonly url: string) {}
  send(msg: object) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop() {
    this.onclose?.({});
  }
  close() {
    this.closed = true;
  }
}

const ev = (seq: number, entity = 'job', id = 1, what = 'updated'): LiveEvent => ({ seq, entity, id, what, data: {} });

describe('EventFeed', () => {
  let sockets: FakeSocket[];
  let timers: { fn: () => void; ms: number }[];
  let events: number[];
  let resyncs: ResyncReason[];
  let statuses: string[];
  let feed: EventFeed;

  const socket = () => sockets[sockets.length - 1];
  const runTimer = () => timers.shift()!.fn();

  beforeEach(() => {
    sockets = [];
    timers = [];
    events = [];
    resyncs = [];
    statuses = [];
    feed = new EventFeed({
      url: 'ws://test/ws',
      onEvent: (e) => events.push(e.seq),
      onResync: (r) => resyncs.push(r),
      onStatus: (s) => statuses.push(s),
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      setTimer: (fn, ms) => {
        const t = { fn, ms };
        timers.push(t);
        return t;
      },
      clearTimer: (h) => {
        timers = timers.filter((t) => t !== h);
      },
      backoff: { initial: 500, max: 8000 },
    });
    feed.start();
  });

  it('delivers consecutive events without a resync', () => {
    socket().send({ hello: true, seq: 5 });
    socket().send(ev(6));
    socket().send(ev(7));
    expect(events).toEqual([6, 7]);
    expect(resyncs).toEqual([]);
    expect(feed.lastSeq).toBe(7);
    expect(statuses).toEqual(['connecting', 'live']);
  });

  it('asks for a resync on a gap and still delivers the event', () => {
    socket().send({ hello: true, seq: 5 });
    socket().send(ev(6));
    socket().send(ev(9));
    expect(resyncs).toEqual(['gap']);
    expect(events).toEqual([6, 9]);
    socket().send(ev(10));
    expect(resyncs).toEqual(['gap']);
  });

  it('detects a gap right after the hello', () => {
    socket().send({ hello: true, seq: 5 });
    socket().send(ev(7));
    expect(resyncs).toEqual(['gap']);
  });

  it('ignores events it has already seen', () => {
    socket().send({ hello: true, seq: 5 });
    socket().send(ev(6));
    socket().send(ev(6));
    socket().send(ev(4));
    expect(events).toEqual([6]);
    expect(resyncs).toEqual([]);
  });

  it('resyncs when the server says so', () => {
    socket().send({ hello: true, seq: 1 });
    socket().send({ resync: true, missed: 12 });
    expect(resyncs).toEqual(['server']);
  });

  it('takes the first event as the baseline when the server knew no sequence (hello seq 0)', () => {
    socket().send({ hello: true, seq: 0 });
    socket().send(ev(42));
    socket().send(ev(43));
    expect(resyncs).toEqual([]);
    expect(events).toEqual([42, 43]);
  });

  it('does not resync on the first connection', () => {
    socket().send({ hello: true, seq: 100 });
    expect(resyncs).toEqual([]);
  });

  it('reconnects with exponential backoff after drops', () => {
    socket().send({ hello: true, seq: 1 });
    socket().drop();
    expect(statuses.at(-1)).toBe('reconnecting');
    expect(timers.map((t) => t.ms)).toEqual([500]);
    runTimer();
    expect(sockets).toHaveLength(2);
    socket().drop(); // failed again before any hello
    expect(timers.map((t) => t.ms)).toEqual([1000]);
    runTimer();
    socket().drop();
    runTimer();
    socket().drop();
    runTimer();
    socket().drop();
    expect(timers.map((t) => t.ms)).toEqual([8000]); // capped
    expect(feed.delay(10)).toBe(8000);
  });

  it('resets the backoff after a successful reconnect', () => {
    socket().send({ hello: true, seq: 1 });
    socket().drop();
    runTimer();
    socket().drop();
    runTimer();
    socket().send({ hello: true, seq: 1 });
    socket().drop();
    expect(timers.map((t) => t.ms)).toEqual([500]);
  });

  it('refetches after a reconnect whose hello is ahead of what it saw', () => {
    socket().send({ hello: true, seq: 10 });
    socket().send(ev(11));
    socket().drop();
    runTimer();
    socket().send({ hello: true, seq: 14 });
    expect(resyncs).toEqual(['reconnect']);
    expect(statuses.at(-1)).toBe('live');
    socket().send(ev(15));
    expect(resyncs).toEqual(['reconnect']);
    expect(events).toEqual([11, 15]);
  });

  it('does not refetch after a reconnect when nothing happened meanwhile', () => {
    socket().send({ hello: true, seq: 10 });
    socket().send(ev(11));
    socket().drop();
    runTimer();
    socket().send({ hello: true, seq: 11 });
    expect(resyncs).toEqual([]);
  });

  it('refetches after reconnecting to a restarted server (hello seq 0)', () => {
    socket().send({ hello: true, seq: 10 });
    socket().drop();
    runTimer();
    socket().send({ hello: true, seq: 0 });
    expect(resyncs).toEqual(['reconnect']);
  });

  it('ignores garbage and stops cleanly', () => {
    socket().onmessage?.({ data: 'not json' });
    socket().onmessage?.({ data: '42' });
    const s = socket();
    feed.stop();
    expect(s.closed).toBe(true);
    expect(statuses.at(-1)).toBe('stopped');
    s.drop(); // late close after stop: no reconnect
    expect(timers).toEqual([]);
  });

  it('reconnects at once on request while waiting', () => {
    socket().send({ hello: true, seq: 1 });
    socket().drop();
    feed.reconnectNow();
    expect(sockets).toHaveLength(2);
    expect(timers).toEqual([]);
  });
});

describe('liveUrl', () => {
  it('uses the page origin', () => {
    expect(liveUrl({ protocol: 'http:', host: 'localhost:8080' })).toBe('ws://localhost:8080/ws');
    expect(liveUrl({ protocol: 'https:', host: 'causeway.example' })).toBe('wss://causeway.example/ws');
  });
});

describe('EventFeed with tickets (auth on)', () => {
  it('asks for a fresh ticket before every attempt, and retries a refused (4401) socket with a new one', async () => {
    const sockets: FakeSocket[] = [];
    const timers: (() => void)[] = [];
    const refused: string[] = [];
    let issued = 0;
    const feed = new EventFeed({
      url: async () => `ws://test/ws?ticket=t${++issued}`,
      onEvent: () => {},
      onResync: () => {},
      onRefused: (reason) => refused.push(reason),
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      setTimer: (fn) => timers.push(fn),
      clearTimer: () => {},
    });
    feed.start();
    await vi.waitFor(() => expect(sockets.map((s) => s.url)).toEqual(['ws://test/ws?ticket=t1']));

    sockets[0].onclose?.({ code: 4401, reason: 'ticket expired' });
    expect(refused).toEqual(['ticket expired']);
    expect(feed.status).toBe('reconnecting');
    timers.shift()!();
    await vi.waitFor(() => expect(sockets.map((s) => s.url)).toEqual(['ws://test/ws?ticket=t1', 'ws://test/ws?ticket=t2']));
    sockets[1].send({ hello: true, seq: 0 });
    expect(feed.status).toBe('live');
    feed.stop();
  });

  it('backs off when no ticket can be had, and drops a ticket that arrives after stop', async () => {
    const sockets: FakeSocket[] = [];
    const timers: (() => void)[] = [];
    let fail = true;
    let release: (url: string) => void = () => {};
    const feed = new EventFeed({
      url: () =>
        fail ? Promise.reject(new Error('401')) : new Promise<string>((resolve) => (release = resolve)),
      onEvent: () => {},
      onResync: () => {},
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      setTimer: (fn) => timers.push(fn),
      clearTimer: () => {},
    });
    feed.start();
    await vi.waitFor(() => expect(timers).toHaveLength(1));
    expect(sockets).toHaveLength(0);
    fail = false;
    timers.shift()!();
    feed.stop();
    release('ws://test/ws?ticket=late');
    await Promise.resolve();
    expect(sockets).toHaveLength(0);
  });
});
