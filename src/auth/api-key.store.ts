import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { Role } from './role';

export interface ApiKeyRow {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly scope: string | null;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

interface Row {
  id: number;
  name: string;
  role: Role;
  scope: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, role, scope, created_at, last_used_at, revoked_at';

/** SQL for `api_keys`. Only hashes are stored; no method ever returns one. */
@Injectable()
export class ApiKeyStore {
  async findActiveByHash(manager: EntityManager, hash: string): Promise<ApiKeyRow | null> {
    const rows = await queryRows<Row>(
      manager,
      `SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    return rows.length ? toKey(rows[0]) : null;
  }

  /** Which of these keys are still active. */
  async activeIds(manager: EntityManager, ids: readonly number[]): Promise<Set<number>> {
    const rows = await queryRows<{ id: number }>(
      manager,
      'SELECT id FROM api_keys WHERE id = ANY($1::int[]) AND revoked_at IS NULL',
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  async list(manager: EntityManager): Promise<ApiKeyRow[]> {
    return (await queryRows<Row>(manager, `SELECT ${COLUMNS} FROM api_keys ORDER BY id`)).map(toKey);
  }

  async count(manager: EntityManager): Promise<number> {
    const [row] = await queryRows<{ n: number }>(manager, 'SELECT count(*)::int AS n FROM api_keys');
    return row.n;
  }

  /** Inserts a key; with `ifHashAbsent`, does nothing when that hash is stored already. */
  async insert(
    manager: EntityManager,
    name: string,
    role: Role,
    hash: string,
    scope: string | null = null,
  ): Promise<ApiKeyRow | null> {
    const rows = await queryRows<Row>(
      manager,
      `INSERT INTO api_keys (name, role, key_hash, scope) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key_hash) DO NOTHING RETURNING ${COLUMNS}`,
      [name, role, hash, scope],
    );
    return rows.length ? toKey(rows[0]) : null;
  }

  /** Revokes the key (once: a second revoke keeps the first time); null when there is no such key. */
  async revoke(manager: EntityManager, id: number, at: Date): Promise<ApiKeyRow | null> {
    const rows = await queryRows<Row>(
      manager,
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, at],
    );
    return rows.length ? toKey(rows[0]) : null;
  }

  /** Records use, at most once per `everyMs` per key, so a busy key does not write on every request. */
  async touch(manager: EntityManager, id: number, at: Date, everyMs: number): Promise<void> {
    await queryRows(
      manager,
      `UPDATE api_keys SET last_used_at = $2
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - $3::int * interval '1 millisecond')`,
      [id, at, everyMs],
    );
  }
}

function toKey(r: Row): ApiKeyRow {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    scope: r.scope,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}
