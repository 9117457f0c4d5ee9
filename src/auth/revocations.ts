import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PUB_SUB } from '../pubsub/pubsub';
import type { PubSub, Unsubscribe } from '../pubsub/pubsub';
import { PubSubChannel } from '../pubsub/pubsub-channel';
import { Handlers } from '../pubsub/handlers';

/** Revocations remembered, so that a check that began before one can still see it. */
const REMEMBERED = 10_000;

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
  private readonly waiters = new Map<number, Set<() => void>>();
  private unsubscribe: Unsubscribe[] = [];

  constructor(@Inject(PUB_SUB) private readonly pubsub: PubSub) {}

  onModuleInit(): void {
    this.unsubscribe = [
      this.pubsub.subscribe(PubSubChannel.KEY_REVOKED, (message) => {
        const keyId = (message as { keyId?: unknown }).keyId;
        if (typeof keyId !== 'number') return;
        this.note(keyId);
        for (const wake of this.waiters.get(keyId) ?? []) wake();
      }),
      // Notifications sent while the listener was away are lost: nothing heard before is complete.
      this.pubsub.onResumed(() => this.forgetAll()),
    ];
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
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
   * Resolves when this instance's listener hears the revocation of `keyId`, or after `timeoutMs`.
   * Call before the revoking transaction commits. Every listener is sent a notification at the
   * same commit, so once this one has heard it the others have too, give or take the network.
   */
  heardBack(keyId: number, timeoutMs: number): { done: Promise<void>; cancel: () => void } {
    let waiters = this.waiters.get(keyId);
    if (!waiters) this.waiters.set(keyId, (waiters = new Set()));
    let wake: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => wake(), timeoutMs);
      wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiters.get(keyId) === waiters) this.waiters.delete(keyId);
        resolve();
      };
    });
    waiters.add(wake);
    return { done, cancel: wake };
  }

  private forgetAll(): void {
    this.forgottenUpTo = ++this.seq;
    this.heard.clear();
    this.lost.call(undefined, (error) => this.logger.error(error));
  }
}
