import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectLive } from './connect';
import type { SocketLike } from './feed';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  send(msg: object) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  close() {}
}

describe('connectLive', () => {
  const stops: (() => void)[] = [];
  afterEach(() => {
    stops.splice(0).forEach((s) => s());
    vi.useRealTimers();
  });

  function setup() {
    vi.useFakeTimers();
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
    const sockets: FakeSocket[] = [];
    const fetches = { datasets: 0, jobs: 0 };
    const jobs = [{ id: 1, status: 'waiting', error_code: null }];
    // Two queries "on screen" (observed), as a mounted component would hold them.
    const observe = (queryKey: string[], queryFn: () => unknown) => {
      const obs = new QueryObserver(qc, { queryKey, queryFn });
      stops.push(obs.subscribe(() => {}));
    };
    observe(['datasets'], () => (fetches.datasets++, []));
    observe(['jobs'], () => (fetches.jobs++, jobs.map((j) => ({ ...j }))));
    const live = connectLive(qc, {
      url: 'ws://x/ws',
      batchDelay: 50,
      feed: {
        createSocket: () => {
          const s = new FakeSocket();
          sockets.push(s);
          return s;
        },
      },
    });
    stops.push(live.stop);
    return { qc, sockets, fetches, jobs };
  }

  it('shows a job’s new status at once and refetches the job lists', async () => {
    const { qc, sockets, fetches } = setup();
    await vi.runAllTimersAsync();
    expect(fetches.jobs).toBe(1);
    sockets[0].send({ hello: true, seq: 3 });
    sockets[0].send({ seq: 4, entity: 'job', id: 1, what: 'failed', data: { status: 'error', error_code: -127 } });
    expect(qc.getQueryData<{ status: string }[]>(['jobs'])![0]).toMatchObject({ status: 'error', error_code: -127 });
    await vi.advanceTimersByTimeAsync(60);
    expect(fetches.jobs).toBe(2);
    expect(fetches.datasets).toBe(1); // untouched
  });

  it('refetches everything shown after a gap', async () => {
    const { sockets, fetches } = setup();
    await vi.runAllTimersAsync();
    sockets[0].send({ hello: true, seq: 3 });
    sockets[0].send({ seq: 9, entity: 'job', id: 5, what: 'created', data: {} });
    await vi.advanceTimersByTimeAsync(60);
    expect(fetches).toEqual({ datasets: 2, jobs: 2 });
  });

  it('reconnects after a drop and refetches when events were missed', async () => {
    const { sockets, fetches } = setup();
    await vi.runAllTimersAsync();
    sockets[0].send({ hello: true, seq: 3 });
    sockets[0].onclose?.({});
    await vi.advanceTimersByTimeAsync(600); // first backoff step is 500 ms
    expect(sockets).toHaveLength(2);
    sockets[1].send({ hello: true, seq: 7 });
    await vi.advanceTimersByTimeAsync(60);
    expect(fetches).toEqual({ datasets: 2, jobs: 2 });
  });

  it('does not refetch after a reconnect when nothing was missed', async () => {
    const { sockets, fetches } = setup();
    await vi.runAllTimersAsync();
    sockets[0].send({ hello: true, seq: 3 });
    sockets[0].onclose?.({});
    await vi.advanceTimersByTimeAsync(600);
    sockets[1].send({ hello: true, seq: 3 });
    await vi.advanceTimersByTimeAsync(60);
    expect(fetches).toEqual({ datasets: 1, jobs: 1 });
  });
});
