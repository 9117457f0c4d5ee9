import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PUB_SUB } from '../pubsub/pubsub';
import type { PubSub, Unsubscribe } from '../pubsub/pubsub';
import { PubSubChannel } from '../pubsub/pubsub-channel';
import { Handlers } from '../pubsub/handlers';

/** Revocations remembered, so that a check that began before one can still see it. */
const REMEMBERED = 10_000;

/** While acknowledgements are missing, how often the revoker looks again at which listeners are still connected. */
const LISTENERS_POLL_MS = 100;

/** The acknowledgements of one revocation, from the instances that heard it and acted on it. */
export interface RevocationEcho {
  /**
   * Resolves once every listener of `expected` has acknowledged, or has disconnected (an
   * instance keeps no key cached while its listener is down), or after `timeoutMs`; with
   * the listeners that did neither.
   */
  heardBy(expected: readonly number[], timeoutMs: number): Promise<number[]>;
  cancel(): void;
}

/**
 * The revocations this instance has heard of, numbered in the order heard. A check that reads
 * the database takes a `mark` first and asks `revokedSince(keyId, mark)` after: a revocation that
 * committed while it ran (its lookup saw the key still active) is seen, though the key was not
 * yet tracked when the notification came.
 */
@Injectable()
export class Revocations implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(Revocations.name);
  private seq = 0;
  /** keyId → the number of its revocation, oldest first. */
  private readonly heard = new Map<number, number>();
  /** Revocations numbered up to this may have been forgotten (past REMEMBERED, or missed by the listener). */
  private forgottenUpTo = 0;
  private readonly revoked = new Handlers<number>();
  private readonly lost = new Handlers<void>();
  /** keyId → the echoes waiting for its acknowledgements, each told the listener that acknowledged. */
  private readonly echoes = new Map<number, Set<(by: number) => void>>();
  private unsubscribe: Unsubscribe[] = [];
  /** False while the listener is down: revocations may be going unheard. */
  private listening = true;

  constructor(@Inject(PUB_SUB) private readonly pubsub: PubSub) {}

  onModuleInit(): void {
    this.unsubscribe = [
      this.pubsub.subscribe(PubSubChannel.KEY_REVOKED, (message) => {
        const keyId = (message as { keyId?: unknown }).keyId;
        if (typeof keyId !== 'number') return;
        this.note(keyId);
        void this.acknowledge(keyId);
      }),
      this.pubsub.subscribe(PubSubChannel.KEY_REVOCATION_HEARD, (message) => {
        const { keyId, by } = message as { keyId?: unknown; by?: unknown };
        if (typeof keyId !== 'number' || typeof by !== 'number') return;
        for (const heard of this.echoes.get(keyId) ?? []) heard(by);
      }),
      // Deaf from the loss on: what was learnt is dropped, and nothing is kept until the listener is back.
      this.pubsub.onLost(() => {
        this.listening = false;
        this.forgetAll();
      }),
      // Notifications sent while the listener was away are lost: nothing heard before is complete.
      this.pubsub.onResumed(() => {
        this.listening = true;
        this.forgetAll();
      }),
    ];
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  /**
   * Whether revocations are being heard now. While they are not (the listener is down), what is
   * read from the database must not be kept: a revocation committed meanwhile would go unheard,
   * and the revoker no longer waits for an instance whose listener has gone.
   */
  get hearing(): boolean {
    return this.listening;
  }

  /** Where the count of revocations stands now; pass it to `revokedSince` after an await. */
  get mark(): number {
    return this.seq;
  }

  /** Whether the key was revoked after `mark`, or might have been (when that much is forgotten). */
  revokedSince(keyId: number, mark: number): boolean {
    return this.forgottenUpTo > mark || (this.heard.get(keyId) ?? 0) > mark;
  }

  /** Whether this instance remembers hearing of the key's revocation. */
  isRevoked(keyId: number): boolean {
    return this.heard.has(keyId);
  }

  /** Records a revocation and tells the handlers; the revoking instance calls it at commit, the others on the notification. */
  note(keyId: number): void {
    this.heard.delete(keyId);
    this.heard.set(keyId, ++this.seq);
    if (this.heard.size > REMEMBERED) {
      const [oldest, at] = this.heard.entries().next().value as [number, number];
      this.heard.delete(oldest);
      this.forgottenUpTo = at;
    }
    this.revoked.call(keyId, (error) => this.logger.error(error));
  }

  onRevoked(handler: (keyId: number) => void): Unsubscribe {
    return this.revoked.add(handler);
  }

  /** Called when revocations may have been missed: whatever was learnt from the database must be learnt again. */
  onForgotten(handler: () => void): Unsubscribe {
    return this.lost.add(handler);
  }

  /**
   * Starts collecting the acknowledgements of `keyId`'s revocation. Call before the revoking
   * transaction commits, and `heardBy` after: every instance acknowledges only once it has
   * evicted the key and closed its connections, so when all have, the key is refused everywhere.
   */
  echo(keyId: number): RevocationEcho {
    const heard = new Set<number>();
    let changed: () => void = () => undefined;
    const onHeard = (by: number) => {
      heard.add(by);
      changed();
    };
    let echoes = this.echoes.get(keyId);
    if (!echoes) this.echoes.set(keyId, (echoes = new Set()));
    echoes.add(onHeard);
    const cancel = () => {
      echoes.delete(onHeard);
      if (echoes.size === 0 && this.echoes.get(keyId) === echoes) this.echoes.delete(keyId);
    };
    const heardBy = async (expected: readonly number[], timeoutMs: number): Promise<number[]> => {
      const deadline = Date.now() + timeoutMs;
      let missing = expected.filter((id) => !heard.has(id));
      while (missing.length > 0) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, LISTENERS_POLL_MS));
          changed = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        changed = () => undefined;
        missing = missing.filter((id) => !heard.has(id));
        if (missing.length > 0) missing = await this.stillListening(missing, deadline - Date.now());
      }
      return missing;
    };
    return { heardBy, cancel };
  }

  /** Tells the revoker that this instance has acted on the revocation. */
  private async acknowledge(keyId: number): Promise<void> {
    const by = this.pubsub.listenerId;
    if (by === null) return;
    try {
      await this.pubsub.publish(PubSubChannel.KEY_REVOCATION_HEARD, [{ keyId, by }]);
    } catch (error) {
      this.logger.warn(`could not acknowledge the revocation of key ${keyId}: ${(error as Error).message}`);
    }
  }

  /** Those of `ids` whose listener is still connected; all of them when that cannot be told within `withinMs`. */
  private async stillListening(ids: number[], withinMs: number): Promise<number[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const listeners = await Promise.race([
        this.pubsub.listeners(),
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), Math.max(0, withinMs)))),
      ]);
      if (listeners === null) return ids;
      const connected = new Set(listeners);
      return ids.filter((id) => connected.has(id));
    } catch {
      return ids;
    } finally {
      clearTimeout(timer);
    }
  }

  private forgetAll(): void {
    this.forgottenUpTo = ++this.seq;
    this.heard.clear();
    this.lost.call(undefined, (error) => this.logger.error(error));
  }
}
