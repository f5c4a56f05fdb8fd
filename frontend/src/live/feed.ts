/**
 * The `/ws` change feed. The server greets with `{"hello": true, "seq": N}` (the last event
 * sequence it has seen) and then sends events `{"seq", "entity", "id", "what", "data"}` whose
 * `seq` grows by exactly 1. Whenever the client may have missed something it asks its owner to
 * resync (refetch everything shown):
 *   - a gap in `seq`;
 *   - a `{"resync": true}` message (the server dropped events for this socket);
 *   - a reconnect whose hello.seq differs from the last seq seen here.
 * After a drop it reconnects with exponential backoff. No React in here, so it is unit-tested.
 *
 * When the server needs credentials, `url` is a function that fetches a fresh, short-lived
 * ticket before every attempt (`/ws?ticket=…`); a socket the server refuses (close code 4401,
 * e.g. an expired ticket) is retried with a new ticket like any other drop.
 */

export interface LiveEvent {
  seq: number;
  entity: string;
  id: number | null;
  what: string;
  data: Record<string, unknown> | null;
}

export type FeedStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';
export type ResyncReason = 'gap' | 'reconnect' | 'server';

/** The part of WebSocket the feed uses. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

/** The close code of a socket the server refused for its credentials. */
export const CLOSE_UNAUTHORIZED = 4401;

export interface FeedOptions {
  /** the address, or a function that resolves it before every attempt (with a fresh ticket) */
  url: string | (() => Promise<string>);
  /** a socket the server refused (close code 4401), with its reason */
  onRefused?: (reason: string) => void;
  onEvent: (event: LiveEvent) => void;
  onResync: (reason: ResyncReason) => void;
  onStatus?: (status: FeedStatus) => void;
  createSocket?: (url: string) => SocketLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** reconnect delays: initial · 2^attempt, capped at max (ms) */
  backoff?: { initial: number; max: number };
}

export class EventFeed {
  /** The last sequence seen; null until known. */
  lastSeq: number | null = null;
  status: FeedStatus = 'stopped';
  private socket: SocketLike | null = null;
  private greeted = false;
  private attempt = 0;
  private timer: unknown = null;
  private stopped = true;
  /** counts attempts, so that an address resolved for an abandoned attempt is dropped */
  private generation = 0;
  private readonly opts: Required<Omit<FeedOptions, 'onStatus' | 'onRefused'>> & Pick<FeedOptions, 'onStatus' | 'onRefused'>;

  constructor(options: FeedOptions) {
    this.opts = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      backoff: { initial: 500, max: 15_000 },
      ...options,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    if (this.timer !== null) this.opts.clearTimer(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = socket.onmessage = socket.onerror = socket.onopen = null;
      socket.close();
    }
    this.setStatus('stopped');
  }

  /** The delay before reconnect attempt number `attempt` (0-based). */
  delay(attempt: number): number {
    const { initial, max } = this.opts.backoff;
    return Math.min(max, initial * 2 ** attempt);
  }

  /** Reconnects at once (e.g. when the browser comes back online). */
  reconnectNow(): void {
    if (this.stopped || this.status === 'live') return;
    if (this.timer !== null) this.opts.clearTimer(this.timer);
    this.timer = null;
    this.connect();
  }

  private connect(): void {
    this.setStatus(this.greeted ? 'reconnecting' : 'connecting');
    const generation = ++this.generation;
    const { url } = this.opts;
    if (typeof url === 'string') {
      this.open(url);
      return;
    }
    url().then(
      (resolved) => {
        if (!this.stopped && generation === this.generation) this.open(resolved);
      },
      () => {
        if (!this.stopped && generation === this.generation) this.scheduleReconnect();
      },
    );
  }

  private open(url: string): void {
    let socket: SocketLike;
    try {
      socket = this.opts.createSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onmessage = (ev) => this.handleMessage(ev.data);
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      const { code, reason } = (ev ?? {}) as { code?: number; reason?: string };
      if (code === CLOSE_UNAUTHORIZED) this.opts.onRefused?.(reason || 'not authenticated');
      this.scheduleReconnect();
    };
    socket.onerror = () => {
      /* a close follows */
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.setStatus('reconnecting');
    const wait = this.delay(this.attempt++);
    this.timer = this.opts.setTimer(() => {
      this.timer = null;
      if (!this.stopped) this.connect();
    }, wait);
  }

  /** Handles one message text from the socket. */
  handleMessage(raw: unknown): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(String(raw));
    } catch {
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    if (msg.hello === true) this.handleHello(typeof msg.seq === 'number' ? msg.seq : 0);
    else if (msg.resync === true) this.opts.onResync('server');
    else if (typeof msg.seq === 'number' && typeof msg.entity === 'string') this.handleEvent(msg as unknown as LiveEvent);
  }

  private handleHello(seq: number): void {
    this.attempt = 0;
    const reconnect = this.greeted;
    this.greeted = true;
    this.setStatus('live');
    // seq 0: the server has seen no event since it started, so it cannot tell what we missed.
    if (reconnect && (seq === 0 || this.lastSeq === null || seq !== this.lastSeq)) {
      this.opts.onResync('reconnect');
    }
    this.lastSeq = seq === 0 ? null : seq;
  }

  private handleEvent(event: LiveEvent): void {
    if (this.lastSeq !== null) {
      if (event.seq <= this.lastSeq) return; // already seen
      if (event.seq > this.lastSeq + 1) this.opts.onResync('gap');
    }
    this.lastSeq = event.seq;
    this.opts.onEvent(event);
  }

  private setStatus(status: FeedStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.opts.onStatus?.(status);
  }
}

/** The feed's address on the page's own origin. */
export function liveUrl(location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
