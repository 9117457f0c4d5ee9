import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { Revocations } from './revocations';
import { Role } from './role';

/** An active key as last read from the database. */
export interface KnownKey {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly scope: string | null;
  /** When its use was last written (epoch ms), so that a busy key is not touched on every request. */
  lastUsedAt: number | null;
}

/**
 * Active keys by hash, so that a valid key does not cost a database lookup per request. Bounded
 * (least recently used first out) and aged out after a TTL; a revoked key is evicted the moment
 * this instance hears of it, and everything is dropped when revocations may have been missed.
 * Unknown keys are not kept: failed authentications are held back per client address instead.
 */
@Injectable()
export class KeyCache {
  private readonly cache: LRUCache<string, KnownKey> | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly revocations: Revocations,
  ) {
    const { keyCacheSize, keyCacheTtlMs } = config.auth;
    this.cache = keyCacheSize > 0 && keyCacheTtlMs > 0 ? new LRUCache({ max: keyCacheSize, ttl: keyCacheTtlMs }) : null;
    revocations.onRevoked((keyId) => this.evict(keyId));
    revocations.onForgotten(() => this.cache?.clear());
  }

  /** Nothing while revocations are not being heard (the listener is down): every key is read again. */
  get(hash: string): KnownKey | undefined {
    return this.revocations.hearing ? this.cache?.get(hash) : undefined;
  }

  set(hash: string, key: KnownKey): void {
    if (this.revocations.hearing) this.cache?.set(hash, key);
  }

  /** Linear in the entries, but revocations are rare and an index would need keeping on every eviction. */
  private evict(keyId: number): void {
    if (!this.cache) return;
    for (const [hash, key] of this.cache.entries()) if (key.id === keyId) this.cache.delete(hash);
  }
}
