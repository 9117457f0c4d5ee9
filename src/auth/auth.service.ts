import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { AdvisoryLock } from '../database/advisory-locks';
import { inTransaction } from '../database/transaction';
import { PUB_SUB } from '../pubsub/pubsub';
import type { PubSub } from '../pubsub/pubsub';
import { PubSubChannel } from '../pubsub/pubsub-channel';
import { secureExistingAdminKeyFile, writeAdminKeyFile } from './admin-key-file';
import { generateKey, hashKey } from './api-key';
import { ApiKeyRow, ApiKeyStore } from './api-key.store';
import { KeyCache, KnownKey } from './key-cache';
import { Principal } from './principal';
import { Revocations } from './revocations';
import { Role } from './role';

export const BOOTSTRAP_KEY_NAME = 'bootstrap-admin';

/** How long a revocation's answer waits for every listening instance to acknowledge it. */
const REVOCATION_ECHO_WAIT_MS = 2000;

/** API keys: who is calling, and the keys' life cycle. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: ApiKeyStore,
    private readonly keys: KeyCache,
    private readonly revocations: Revocations,
    private readonly clock: Clock,
    @Inject(PUB_SUB) private readonly pubsub: PubSub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The principal of a raw key, or null for an unknown or revoked one. Known keys come from memory;
   * a revocation heard while this ran (during the lookup, or a touch waiting on the revoked row's
   * lock) wins. Notes the use, now and then.
   */
  async authenticate(key: string | null): Promise<Principal | null> {
    if (!key) return null;
    const hash = hashKey(key);
    const mark = this.revocations.mark;
    const known = this.keys.get(hash) ?? (await this.lookUp(hash, mark));
    if (!known) return null;
    await this.touchNowAndThen(known);
    if (this.revocations.revokedSince(known.id, mark)) return null;
    return { keyId: known.id, name: known.name, role: known.role, scope: known.scope };
  }

  private async lookUp(hash: string, mark: number): Promise<KnownKey | null> {
    const row = await this.store.findActiveByHash(this.dataSource.manager, hash);
    if (!row) return null;
    const known: KnownKey = {
      id: row.id,
      name: row.name,
      role: row.role,
      scope: row.scope,
      lastUsedAt: row.lastUsedAt?.getTime() ?? null,
    };
    if (!this.revocations.revokedSince(row.id, mark)) this.keys.set(hash, known);
    return known;
  }

  private async touchNowAndThen(known: KnownKey): Promise<void> {
    const now = this.clock.now();
    const every = this.config.auth.touchIntervalMs;
    if (known.lastUsedAt !== null && now - known.lastUsedAt < every) return;
    known.lastUsedAt = now; // before the await: the key's concurrent requests touch once
    await this.store.touch(this.dataSource.manager, known.id, new Date(now), every);
  }

  list(): Promise<ApiKeyRow[]> {
    return this.store.list(this.dataSource.manager);
  }

  /** Creates a key; the secret is in the answer and nowhere else. */
  async create(name: string, role: Role, scope: string | null = null): Promise<{ key: string; info: ApiKeyRow }> {
    const key = generateKey();
    const info = await this.store.insert(this.dataSource.manager, name, role, hashKey(key), scope);
    if (!info) throw new Error('a freshly generated key collided with a stored one');
    return { key, info };
  }

  /**
   * Revokes a key at once, everywhere: this instance forgets it and closes its connections at
   * commit; the answer waits (at most REVOCATION_ECHO_WAIT_MS) until every instance listening at
   * the commit has said it did the same, or has stopped listening (it then keeps no key cached).
   */
  async revoke(id: number): Promise<ApiKeyRow> {
    const echo = this.revocations.echo(id);
    try {
      const { row, listeners } = await inTransaction(this.dataSource, async (tx) => {
        const row = await this.store.revoke(tx.manager, id, new Date(this.clock.now()));
        if (!row) throw AppError.notFound(`unknown API key: ${id}`);
        await this.pubsub.publish(PubSubChannel.KEY_REVOKED, [{ keyId: id }], tx);
        // Before the commit: a listener that connects later never hears it, and needs not.
        return { row, listeners: await this.pubsub.listeners(tx) };
      });
      this.revocations.note(id);
      const unheard = await echo.heardBy(listeners, REVOCATION_ECHO_WAIT_MS);
      if (unheard.length > 0) {
        this.logger.warn(
          `the revocation of key ${id} was not acknowledged within ${REVOCATION_ECHO_WAIT_MS} ms by listener(s) ${unheard.join(', ')}`,
        );
      }
      return row;
    } finally {
      echo.cancel();
    }
  }

  /**
   * Makes sure someone can administer the platform: ADMIN_API_KEY is stored as an admin key if it
   * is not yet; without it and without any key, one is generated and shown once (and, on the
   * embedded database, written to DATA_DIR/admin-key, readable by the owner only).
   */
  async bootstrap(embeddedDataDir: string | null): Promise<void> {
    // First, so that a link planted at DATA_DIR/admin-key stops the start before any key exists.
    if (embeddedDataDir !== null) await secureExistingAdminKeyFile(embeddedDataDir);
    const given = this.config.auth.adminApiKey;
    const generated = await inTransaction(this.dataSource, async ({ manager }) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [AdvisoryLock.API_KEY_BOOTSTRAP]);
      if (given !== null) {
        await this.store.insert(manager, BOOTSTRAP_KEY_NAME, Role.ADMIN, hashKey(given));
        return null;
      }
      if ((await this.store.count(manager)) > 0) return null;
      const key = generateKey();
      await this.store.insert(manager, BOOTSTRAP_KEY_NAME, Role.ADMIN, hashKey(key));
      // Written before the commit: if the file cannot be written, no key exists that nobody knows.
      const file = embeddedDataDir === null ? null : await writeAdminKeyFile(embeddedDataDir, key);
      return { key, file };
    });
    if (generated === null) return;
    const where = generated.file === null ? '' : ` It is also in ${generated.file}.`;
    this.logger.warn(
      `No API key existed, so an admin key was generated. It is shown this once: ${generated.key}${where}`,
    );
  }
}
