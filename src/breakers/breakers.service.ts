import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { RateLimiter } from '../auth/rate-limiter';
import { Role } from '../auth/role';
import { ErrorCode } from '../common/errors/error-code';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { AdvisoryLock } from '../database/advisory-locks';
import { inTransaction } from '../database/transaction';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { Breaker, Permission, RecordOutcomesResult } from './breaker.model';
import { BreakerWriter } from './breaker-writer';
import { BreakerCommand } from './run-commands';
import { BreakerStore } from './breaker.store';
import { toBreakerView } from './breaker.view';
import { BatchKey } from './outcome-batch.store';
import { BreakerConfigInput } from './dto/breaker-config.input';
import { MAX_OCCURRED_AGO_MS, MAX_OCCURRED_AHEAD_MS, OutcomeInput } from './dto/outcome.input';
import {
  AdminContext,
  BreakerConfigPatch,
  BreakerState,
  EMPTY_METRICS,
  evolve,
  EvolveResult,
  initialSnapshot,
  InvalidConfigError,
  resolveConfig,
} from './engine';

/** Registration, reporting and admin control of persisted breakers. */
@Injectable()
export class BreakersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: BreakerStore,
    private readonly writer: BreakerWriter,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limits = config.limits;
    this.registrations = new RateLimiter(config.limits.registrationsPerKeyPerMinute, () => clock.now());
  }

  private readonly limits: AppConfig['limits'];
  /** Per non-admin key, on this instance. */
  private readonly registrations: RateLimiter<number>;

  /** The named breaker, or null. */
  async findOne(name: string): Promise<Breaker | null> {
    const breaker = await this.store.findByName(this.dataSource.manager, name);
    return breaker ? toBreakerView(breaker, this.clock.now()) : null;
  }

  /** All breakers, by name, optionally only those in `state`. */
  async findAll(state?: BreakerState | null): Promise<Breaker[]> {
    const now = this.clock.now();
    return (await this.store.findAll(this.dataSource.manager, state)).map((b) => toBreakerView(b, now));
  }

  /**
   * Creates the breaker; an existing name comes back unchanged, whatever config is asked for.
   * A non-admin key registers at most REGISTRATIONS_PER_KEY_PER_MINUTE a minute (429), and no key
   * past MAX_BREAKERS (FORBIDDEN): each breaker costs snapshots, metrics series and sweep work.
   */
  async register(name: string, patch: BreakerConfigInput | null | undefined, by: Principal): Promise<Breaker> {
    const config = withField('input.config', () => resolveConfig(patch as BreakerConfigPatch));
    const existing = await this.findOne(name);
    if (existing) return existing;
    // Only an attempt to create counts against the key: "make sure it exists" at every start is free.
    if (by.role !== Role.ADMIN) {
      const retryAfterMs = this.registrations.take(by.keyId);
      if (retryAfterMs > 0) {
        throw AppError.rateLimited(
          `the key "${by.name}" registers at most ${this.limits.registrationsPerKeyPerMinute} breakers a minute; retry in ${retryAfterMs} ms`,
          retryAfterMs,
        );
      }
    }
    const now = this.clock.now();
    await inTransaction(this.dataSource, async ({ manager }) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [AdvisoryLock.BREAKER_REGISTRATION]);
      // Another registration of the same name may have committed while this one waited for the lock.
      if (await this.store.findByName(manager, name)) return;
      if ((await this.store.count(manager)) >= this.limits.maxBreakers) {
        throw new AppError(
          ErrorCode.FORBIDDEN,
          `the platform holds its maximum of ${this.limits.maxBreakers} breakers (MAX_BREAKERS); "${name}" was not registered`,
        );
      }
      await this.store.insertIfAbsent(manager, name, {
        config,
        snapshot: initialSnapshot(config, now),
        metrics: EMPTY_METRICS,
      });
    });
    return this.require(name);
  }

  /** Merges the patch over the breaker's config, validated as a whole, and records CONFIG_CHANGED. */
  async updateConfig(name: string, patch: BreakerConfigInput, admin: AdminContext): Promise<Breaker> {
    // A null leaves a setting as it is, but for slowCallDurationMs, where it turns slow calls off.
    const changes = Object.entries(patch).filter(
      ([field, value]) => value !== undefined && (value !== null || field === 'slowCallDurationMs'),
    );
    if (changes.length === 0) {
      throw AppError.badInput('config', 'give at least one setting to change');
    }
    return this.applyOne(name, (record) => ({
      type: 'CONFIGURE',
      config: withField('config', () => resolveConfig(patch as BreakerConfigPatch, record.config)),
      admin,
    }));
  }

  /**
   * Applies a batch of outcomes in one transaction, in order per breaker, all or nothing. With a
   * batch key, a batch that has committed before is not applied again: it answers what it answered.
   */
  async recordOutcomes(
    outcomes: readonly OutcomeInput[],
    batch?: BatchKey,
    fieldOf = (i: number) => `outcomes.${i}`,
  ): Promise<RecordOutcomesResult> {
    if (outcomes.length === 0) return { accepted: 0, breakers: [], duplicate: false };
    const received = this.clock.now();
    const commands = outcomes.map((o, i): BreakerCommand => {
      // Left out, occurredAt is the engine's `now`: the moment the batch's rows are locked.
      const occurredAt = o.occurredAt ? o.occurredAt.getTime() : undefined;
      if (occurredAt !== undefined) checkOccurredAt(occurredAt, received, fieldOf(i));
      return {
        name: o.breakerName,
        input: {
          type: 'OUTCOME',
          success: o.success,
          durationMs: o.durationMs ?? null,
          occurredAt,
          permitId: o.permitId ?? null,
        },
        error: o.error ?? null,
      };
    });
    const done = await this.writer.write({ commands, batch });
    return {
      accepted: done.accepted,
      breakers: done.breakers.map((b) => toBreakerView(b, done.now)),
      duplicate: done.duplicate,
    };
  }

  async recordOutcome(outcome: OutcomeInput): Promise<Breaker> {
    const [breaker] = (await this.recordOutcomes([outcome], undefined, () => 'input')).breakers;
    return breaker;
  }

  /**
   * Asks whether a call may go ahead. Most answers change nothing (a CLOSED breaker permits,
   * an OPEN one that is not due refuses) and need no lock; only a permit taken in HALF_OPEN,
   * or a due half-open, goes through the locked write path. A permit granted carries a fresh
   * random id: the outcome that carries it settles exactly that permit.
   */
  async acquirePermission(name: string): Promise<Permission> {
    const breaker = await this.store.findByName(this.dataSource.manager, name);
    if (!breaker) throw AppError.notFound(`unknown breaker: "${name}"`);
    const input = { type: 'ACQUIRE', permitId: randomUUID() } as const;
    const preview = evolve(breaker.record, input, this.clock.now());
    if (preview.snapshot === breaker.record.snapshot) return toPermission(preview, preview.snapshot.state);
    const done = await this.writer.apply([{ name, input }]);
    return toPermission(done.results[0], done.breakers[0].record.snapshot.state);
  }

  reset(name: string, admin: AdminContext): Promise<Breaker> {
    return this.applyOne(name, { type: 'RESET', admin });
  }

  forceOpen(name: string, admin: AdminContext): Promise<Breaker> {
    return this.applyOne(name, { type: 'FORCE_OPEN', admin });
  }

  disable(name: string, admin: AdminContext): Promise<Breaker> {
    return this.applyOne(name, { type: 'DISABLE', admin });
  }

  private async applyOne(name: string, input: BreakerCommand['input']): Promise<Breaker> {
    const done = await this.writer.apply([{ name, input }]);
    return toBreakerView(done.breakers[0], done.now);
  }

  private async require(name: string): Promise<Breaker> {
    const breaker = await this.findOne(name);
    if (!breaker) throw AppError.notFound(`unknown breaker: "${name}"`);
    return breaker;
  }
}

function toPermission(result: EvolveResult, state: BreakerState): Permission {
  const permit = result.permit;
  return {
    permitted: result.permitted === true,
    state,
    permitId: permit?.id ?? null,
    expiresAt: permit ? new Date(permit.expiresAt) : null,
  };
}

/** An occurredAt more than 5 s ahead of the server or more than 24 h behind it is refused: it could not be bucketed honestly. */
function checkOccurredAt(at: number, now: number, path: string): void {
  if (at > now + MAX_OCCURRED_AHEAD_MS) {
    throw AppError.badInput(
      `${path}.occurredAt`,
      `occurredAt is ${Math.round(at - now)} ms ahead of the server's clock; at most ${MAX_OCCURRED_AHEAD_MS} ms is allowed`,
    );
  }
  if (at < now - MAX_OCCURRED_AGO_MS) {
    throw AppError.badInput(
      `${path}.occurredAt`,
      `occurredAt is more than 24 h in the past; such outcomes are refused`,
    );
  }
}

/** Runs a config resolution, reporting an invalid setting as BAD_USER_INPUT at `prefix.<setting>`. */
function withField<T>(prefix: string, resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    if (error instanceof InvalidConfigError) throw AppError.badInput(`${prefix}.${error.field}`, error.message);
    throw error;
  }
}
