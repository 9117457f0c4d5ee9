import { EventEmitter } from 'node:events';
import { Client, createClient } from 'graphql-ws';
import { PlatformSocket } from './platform-socket';
import { GraphqlHttp, PlatformRequestError } from './graphql-http';
import { BreakerConfig } from '../../src/breakers/engine/breaker-config';
import { BreakerState, GuardedBreaker, KnownBreaker, Permission } from './guarded-breaker';
import {
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_BUFFERED_OUTCOMES,
  OutcomeReporter,
  ReporterStats,
} from './outcome-reporter';
import { recordOutcomesSender } from './record-outcomes';

export interface ConnectOptions {
  /** The platform's GraphQL endpoint, e.g. http://localhost:3000/graphql; ws:// is derived for subscriptions. */
  readonly url: string;
  readonly apiKey: string;
  /** Default 100. */
  readonly flushIntervalMs?: number;
  /** Default 100,000; past it the oldest outcomes are dropped and counted. */
  readonly maxBufferedOutcomes?: number;
  /** Default 10,000: a request with no answer by then fails. */
  readonly requestTimeoutMs?: number;
  /** After a refused permit in HALF_OPEN, calls are refused locally this long. Default 200. */
  readonly permitBackoffMs?: number;
  /** Default 10,000: connect() rejects when the subscription connection is not up by then. */
  readonly connectTimeoutMs?: number;
  /**
   * Default 5,000: once the platform has been out of reach this long, every breaker goes
   * fail-static (a local engine decides) until the connection is back.
   */
  readonly staleAfterMs?: number;
}

/** A breaker going fail-static (`local: true`), or back to the platform's state. */
export interface LocalModeChange {
  readonly breakerName: string;
  readonly local: boolean;
  /** ISO 8601. */
  readonly at: string;
}

export interface BreakerOptions {
  /** Used when the breaker is registered by this call; an existing breaker keeps its own. */
  readonly config?: Record<string, unknown>;
}

/** The reporter's figures, and whether the subscription connection is up. */
export interface PlatformStats extends ReporterStats {
  readonly connected: boolean;
  /** The breakers in fail-static, by name. */
  readonly localMode: string[];
}

const REGISTER = `mutation($input: RegisterBreakerInput!) { registerBreaker(input: $input) { name state } }`;
const CURRENT = `query($name: String!) {
  breaker(name: $name) {
    state stateChangedAt openUntil currentOpenTimeoutMs
    config {
      failureThreshold openTimeoutMs maxOpenTimeoutMs halfOpenMaxCalls successThreshold tripOn
      windowMs windowBuckets minimumCalls failureRateThreshold slowCallDurationMs slowCallRateThreshold
      permitTimeoutMs
    }
  }
}`;
const NEWEST_EVENT = `query($name: String!) {
  breakerEvents(breakerName: $name, order: DESC, first: 1) { edges { node { id } } }
}`;
const TRANSITIONS = `subscription($name: String!) { breakerStateChanged(breakerName: $name) { eventId to at } }`;
const ACQUIRE = `mutation($name: String!) { acquirePermission(breakerName: $name) { permitted state permitId } }`;

/** How long connect() waits for the subscription connection before it gives up. */
const CONNECT_TIMEOUT_MS = 10_000;
/** A ping every this often; a connection with no pong within as long again is dropped. */
const KEEP_ALIVE_MS = 2_000;
/**
 * The server may register a subscription after the reads that follow it have been answered
 * (graphql-ws acknowledges no subscription): a transition in between would be missed. One more
 * read this long after the first closes that gap.
 */
const SETTLE_READ_MS = 1_000;
/** A read of the breakers that failed on a live connection is tried again after this long. */
const RESYNC_RETRY_MS = 1_000;

interface BreakerRead {
  readonly state: BreakerState;
  readonly stateChangedAt: string;
  readonly openUntil: string | null;
  readonly currentOpenTimeoutMs: number;
  readonly config: BreakerConfig;
}

/**
 * One connection to the platform: the HTTP endpoint for registering, reading and reporting,
 * and one graphql-ws connection that mirrors the state of every breaker asked for. On every
 * reconnect, each breaker is read again. While the platform is out of reach for `staleAfterMs`,
 * every breaker goes fail-static; the first reads after the connection is back end it.
 */
export class Platform extends EventEmitter {
  private readonly http: GraphqlHttp;
  private readonly reporter: OutcomeReporter;
  private readonly ws: Client;
  private readonly breakers = new Map<string, Promise<GuardedBreaker>>();
  /** The breakers whose first read is done. */
  private readonly settled = new Map<string, GuardedBreaker>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly permitBackoffMs: number;
  private readonly staleAfterMs: number;
  private connected = false;
  private connections = 0;
  private closed = false;
  /** Set as close() begins: no breaker is opened, and no subscription made, from then on. */
  private closing: Promise<number> | null = null;
  /** Fail-static: the platform has been out of reach for staleAfterMs. */
  private stale = false;
  private staleTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  private readonly firstConnection: Promise<void>;

  constructor(options: ConnectOptions) {
    super();
    if (typeof options.url !== 'string' || !/^https?:\/\//.test(options.url)) {
      throw new TypeError(
        `url must be the platform's http:// or https:// GraphQL endpoint, got ${String(options.url)}`,
      );
    }
    if (typeof options.apiKey !== 'string' || options.apiKey.length === 0) throw new TypeError('apiKey is required');
    this.permitBackoffMs = options.permitBackoffMs ?? 200;
    this.staleAfterMs = options.staleAfterMs ?? 5_000;
    if (!Number.isFinite(this.staleAfterMs) || this.staleAfterMs <= 0) {
      throw new RangeError(`staleAfterMs must be a positive number, got ${this.staleAfterMs}`);
    }
    this.http = new GraphqlHttp({
      url: options.url,
      apiKey: options.apiKey,
      requestTimeoutMs: options.requestTimeoutMs,
    });
    this.reporter = new OutcomeReporter({
      send: recordOutcomesSender(this.http),
      flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
      maxBufferedOutcomes: options.maxBufferedOutcomes ?? DEFAULT_MAX_BUFFERED_OUTCOMES,
      onError: (error) => this.tell('reportError', error),
    });
    let resolveFirst: () => void = () => undefined;
    this.firstConnection = new Promise((resolve) => (resolveFirst = resolve));
    this.ws = createClient({
      url: options.url.replace(/^http/, 'ws'),
      webSocketImpl: PlatformSocket,
      connectionParams: { authorization: `Bearer ${options.apiKey}` },
      lazy: false,
      // Not the console: a library prints nothing of its own accord. Listen for 'connectionError'.
      onNonLazyError: (error) => this.tell('connectionError', error),
      retryAttempts: Number.MAX_SAFE_INTEGER,
      shouldRetry: () => !this.closed,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** retries))),
      keepAlive: KEEP_ALIVE_MS,
      on: {
        // A connection that stops answering (a partition sends no reset) is dropped, and counts as lost.
        ping: (received) => {
          if (received || this.pongTimer) return;
          this.pongTimer = setTimeout(() => {
            this.pongTimer = null;
            this.ws.terminate();
          }, KEEP_ALIVE_MS);
          this.pongTimer.unref();
        },
        pong: (received) => {
          if (received && this.pongTimer) this.clearPongTimer();
        },
        connected: () => {
          this.connected = true;
          this.connections++;
          this.clearStaleTimer();
          resolveFirst();
          if (this.connections > 1) void this.resyncAll();
          this.tell('connected');
        },
        closed: () => {
          this.clearPongTimer();
          if (!this.connected) return;
          this.connected = false;
          this.startStaleTimer();
          this.tell('disconnected');
        },
      },
    });
  }

  /** Resolves once the subscription connection is up; the connection keeps trying after a timeout. */
  async ready(timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new PlatformRequestError(`no connection to the platform within ${timeoutMs} ms`, 'NETWORK')),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.firstConnection, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The named breaker, registered with `options.config` if it does not exist yet, its state mirrored from now on. */
  breaker(name: string, options: BreakerOptions = {}): Promise<GuardedBreaker> {
    if (this.closing) return Promise.reject(new Error('the platform connection is closed'));
    let breaker = this.breakers.get(name);
    if (!breaker) {
      breaker = this.open(name, options);
      this.breakers.set(name, breaker);
      breaker.catch(() => this.breakers.delete(name));
    }
    return breaker;
  }

  stats(): PlatformStats {
    return { connected: this.connected, localMode: this.localBreakers(), ...this.reporter.stats() };
  }

  /**
   * Flushes what is buffered (10 s at most), then disconnects; answers the outcomes left unsent.
   * Settles within `timeoutMs` and a second more, whatever the network does. Calling it again
   * answers the same.
   */
  close(timeoutMs = 10_000): Promise<number> {
    this.closing ??= this.shutDown(timeoutMs);
    return this.closing;
  }

  private async shutDown(timeoutMs: number): Promise<number> {
    const unsent = await this.reporter.close(timeoutMs);
    this.closed = true;
    for (const stop of [...this.unsubscribe]) stop();
    this.clearStaleTimer();
    this.clearPongTimer();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // dispose() waits for a connection attempt in flight, which a partition may hold: it is cut, and waited for a second at most.
    const disposed = Promise.resolve(this.ws.dispose()).catch(() => undefined);
    this.ws.terminate();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([disposed, new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)))]);
    clearTimeout(timer);
    return unsent;
  }

  private async open(name: string, options: BreakerOptions): Promise<GuardedBreaker> {
    const input = options.config === undefined ? { name } : { name, config: options.config };
    await this.http.request(REGISTER, { input });
    if (this.closing) throw new Error('the platform connection is closed');
    // Subscribed before the reads: a transition after them arrives live; one before them is in what they read.
    let breaker: GuardedBreaker | null = null;
    const early: { eventId: number; to: BreakerState; at: string }[] = [];
    const stop = this.follow(
      name,
      (transition) => {
        if (breaker === null) early.push(transition);
        else this.onTransition(breaker, transition);
      },
      () => breaker,
    );
    try {
      const { newest, known } = await this.read(name);
      if (this.closing) throw new Error('the platform connection is closed');
      const made: GuardedBreaker = new GuardedBreaker(name, known, {
        reporter: this.reporter,
        acquirePermission: (breakerName) => this.acquirePermission(breakerName),
        permitBackoffMs: this.permitBackoffMs,
        onListenerError: (error) => this.tell('listenerError', error),
      });
      made.seed(newest, known, new Date().toISOString());
      breaker = made;
      this.settled.set(name, made);
      for (const transition of early) this.onTransition(made, transition);
      this.later(SETTLE_READ_MS, () => this.resync(made));
      if (this.stale) this.goLocal(made);
      return made;
    } catch (error) {
      stop();
      throw error;
    }
  }

  /**
   * Subscribes to the breaker's transitions. graphql-ws makes a subscription again after a
   * reconnect, but not one the server ended with an error (refused over a rate limit, say): that
   * one is made again here, with backoff, and the breaker read again after it. Answers the stop.
   */
  private follow(
    name: string,
    onTransition: (t: { eventId: number; to: BreakerState; at: string }) => void,
    breakerOf: () => GuardedBreaker | null,
  ): () => void {
    let current: (() => void) | null = null;
    let stopped = false;
    let failures = 0;
    const start = () => {
      if (stopped || this.closing) return;
      current = this.ws.subscribe<{ breakerStateChanged: { eventId: string; to: BreakerState; at: string } }>(
        { query: TRANSITIONS, variables: { name } },
        {
          next: ({ data }) => {
            failures = 0;
            const t = data?.breakerStateChanged;
            if (t) onTransition({ eventId: Number(t.eventId), to: t.to, at: t.at });
          },
          error: (error) => {
            this.tell('subscriptionError', error);
            if (stopped || this.closing) return;
            this.later(Math.min(30_000, 1000 * 2 ** failures++), async () => {
              start();
              const breaker = breakerOf();
              if (breaker) this.later(SETTLE_READ_MS, () => this.resync(breaker));
            });
          },
          complete: () => undefined,
        },
      );
    };
    start();
    const stop = () => {
      stopped = true;
      current?.();
      const at = this.unsubscribe.indexOf(stop);
      if (at >= 0) this.unsubscribe.splice(at, 1);
    };
    this.unsubscribe.push(stop);
    return stop;
  }

  private onTransition(breaker: GuardedBreaker, t: { eventId: number; to: BreakerState; at: string }): void {
    // A new open period: read it (its end, its length), for a fail-static engine to start from.
    if (breaker.applyTransition(t.eventId, t.to, t.at) && t.to === 'OPEN') {
      void this.resync(breaker).catch(() => undefined);
    }
  }

  /** The newest event id first, then the breaker: a transition between the two is applied again, in order. */
  private async read(name: string): Promise<{ newest: number; known: KnownBreaker }> {
    const newest = await this.http.request<{ breakerEvents: { edges: { node: { id: string } }[] } }>(NEWEST_EVENT, {
      name,
    });
    const { breaker } = await this.http.request<{ breaker: BreakerRead | null }>(CURRENT, { name });
    if (breaker === null) throw new PlatformRequestError(`no breaker named "${name}"`, 'NOT_FOUND');
    return {
      newest: Number(newest.breakerEvents.edges[0]?.node.id ?? 0),
      known: {
        state: breaker.state,
        stateChangedAt: Date.parse(breaker.stateChangedAt),
        openUntil: breaker.openUntil === null ? null : Date.parse(breaker.openUntil),
        currentOpenTimeoutMs: breaker.currentOpenTimeoutMs,
        config: breaker.config,
      },
    };
  }

  /** Reads the breaker again and takes what the platform says; ends its fail-static. */
  private async resync(breaker: GuardedBreaker): Promise<void> {
    if (this.closed) return;
    const { newest, known } = await this.read(breaker.name);
    if (this.closed || !this.connected) return;
    const wasLocal = breaker.isLocal;
    breaker.seed(newest, known, new Date().toISOString());
    if (wasLocal) this.tell('localMode', this.localModeChange(breaker, false));
  }

  /** After a reconnect: every breaker is read again; one whose read fails is tried again while connected. */
  private async resyncAll(): Promise<void> {
    this.stale = false;
    const generation = this.connections;
    for (const breaker of [...this.settled.values()]) {
      await this.resyncUntilDone(breaker, generation);
      // The subscriptions are made again as the reads go: one more read closes that gap, as in open().
      this.later(SETTLE_READ_MS, () => this.resync(breaker));
    }
  }

  /** Reads again, each second, while this connection lasts, and until a read succeeds or fails for good. */
  private async resyncUntilDone(breaker: GuardedBreaker, generation: number): Promise<void> {
    try {
      await this.resync(breaker);
    } catch (error) {
      this.tell('subscriptionError', error);
      const retryable = !(error instanceof PlatformRequestError) || error.retryable;
      if (retryable && this.connected && this.connections === generation) {
        this.later(RESYNC_RETRY_MS, () => this.resyncUntilDone(breaker, generation));
      }
    }
  }

  private startStaleTimer(): void {
    if (this.staleTimer || this.stale || this.closed) return;
    this.staleTimer = setTimeout(() => {
      this.staleTimer = null;
      if (this.connected || this.closed) return;
      this.stale = true;
      for (const breaker of this.settled.values()) this.goLocal(breaker);
    }, this.staleAfterMs);
    this.staleTimer.unref();
  }

  private goLocal(breaker: GuardedBreaker): void {
    if (breaker.isLocal) return;
    breaker.goLocal();
    this.tell('localMode', this.localModeChange(breaker, true));
  }

  private localModeChange(breaker: GuardedBreaker, local: boolean): LocalModeChange {
    return { breakerName: breaker.name, local, at: new Date().toISOString() };
  }

  private localBreakers(): string[] {
    return [...this.settled.values()].filter((b) => b.isLocal).map((b) => b.name);
  }

  private clearStaleTimer(): void {
    if (this.staleTimer) clearTimeout(this.staleTimer);
    this.staleTimer = null;
  }

  private clearPongTimer(): void {
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }

  /** Runs `task` after `ms` unless closed first; its failure is told as a subscription error. */
  private later(ms: number, task: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) void task().catch((error: unknown) => this.tell('subscriptionError', error));
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** Emits without letting a listener's exception into the connection's handlers; 'listenerError' says it threw. */
  private tell(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (error) {
      if (event !== 'listenerError') this.tell('listenerError', error);
    }
  }

  private async acquirePermission(name: string): Promise<Permission> {
    const { acquirePermission } = await this.http.request<{ acquirePermission: Permission }>(ACQUIRE, { name });
    return acquirePermission;
  }
}

/** Connects to the platform; resolves once the subscription connection is up. */
export async function connect(options: ConnectOptions): Promise<Platform> {
  const platform = new Platform(options);
  try {
    await platform.ready(options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
  } catch (error) {
    await platform.close(0);
    throw error;
  }
  return platform;
}
