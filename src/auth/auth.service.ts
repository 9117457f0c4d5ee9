import { Inject, Injectable, Logger } from '@nestjs/common';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
import { generateKey, hashKey } from './api-key';
import { ApiKeyRow, ApiKeyStore } from './api-key.store';
import { Principal } from './principal';
import { Role } from './role';

export const BOOTSTRAP_KEY_NAME = 'bootstrap-admin';

/** API keys: who is calling, and the keys' life cycle. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: ApiKeyStore,
    private readonly clock: Clock,
    @Inject(PUB_SUB) private readonly pubsub: PubSub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The principal of a raw key, or null for an unknown or revoked one. Notes the use, now and then. */
  async authenticate(key: string | null): Promise<Principal | null> {
    if (!key) return null;
    const manager = this.dataSource.manager;
    const row = await this.store.findActiveByHash(manager, hashKey(key));
    if (!row) return null;
    const now = this.clock.now();
    const every = this.config.auth.touchIntervalMs;
    if (row.lastUsedAt === null || now - row.lastUsedAt.getTime() >= every) {
      await this.store.touch(manager, row.id, new Date(now), every);
    }
    return { keyId: row.id, name: row.name, role: row.role, scope: row.scope };
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

  /** Revokes a key at once, everywhere: its open subscriptions on every instance are closed. */
  async revoke(id: number): Promise<ApiKeyRow> {
    return inTransaction(this.dataSource, async (tx) => {
      const row = await this.store.revoke(tx.manager, id, new Date(this.clock.now()));
      if (!row) throw AppError.notFound(`unknown API key: ${id}`);
      await this.pubsub.publish(PubSubChannel.KEY_REVOKED, [{ keyId: id }], tx);
      return row;
    });
  }

  /**
   * Makes sure someone can administer the platform: ADMIN_API_KEY is stored as an admin key if it
   * is not yet; without it and without any key, one is generated and shown once (and, on the
   * embedded database, written to DATA_DIR/admin-key, readable by the owner only).
   */
  async bootstrap(embeddedDataDir: string | null): Promise<void> {
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
      return key;
    });
    if (generated === null) return;
    let where = '';
    if (embeddedDataDir !== null) {
      const file = join(embeddedDataDir, 'admin-key');
      await writeFile(file, generated + '\n', { mode: 0o600 });
      where = ` It is also in ${file}.`;
    }
    this.logger.warn(`No API key existed, so an admin key was generated. It is shown this once: ${generated}${where}`);
  }
}
