import { Inject, Injectable } from '@nestjs/common';
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
import { OutcomeInput } from './dto/outcome.input';
import {
  AdminContext,
  BreakerConfigPatch,
  BreakerState,
  EMPTY_METRICS,
  evolve,
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
    if (Object.values(patch).every((value) => value === undefined || value === null)) {
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
  async recordOutcomes(outcomes: readonly OutcomeInput[], batch?: BatchKey): Promise<RecordOutcomesResult> {
    if (outcomes.length === 0) return { accepted: 0, breakers: [], duplicate: false };
    const done = await this.writer.write({
      commands: outcomes.map((o) => ({ name: o.breakerName, input: { type: 'OUTCOME', success: o.success } as const })),
      batch,
    });
    return {
      accepted: done.accepted,
      breakers: done.breakers.map((b) => toBreakerView(b, done.now)),
      duplicate: done.duplicate,
    };
  }

  async recordOutcome(outcome: OutcomeInput): Promise<Breaker> {
    const [breaker] = (await this.recordOutcomes([outcome])).breakers;
    return breaker;
  }

  /**
   * Asks whether a call may go ahead. Most answers change nothing (a CLOSED breaker permits,
   * an OPEN one that is not due refuses) and need no lock; only a permit taken in HALF_OPEN,
   * or a due half-open, goes through the locked write path.
   */
  async acquirePermission(name: string): Promise<Permission> {
    const breaker = await this.store.findByName(this.dataSource.manager, name);
    if (!breaker) throw AppError.notFound(`unknown breaker: "${name}"`);
    const preview = evolve(breaker.record, { type: 'ACQUIRE' }, this.clock.now());
    if (preview.snapshot === breaker.record.snapshot) {
      return { permitted: preview.permitted === true, state: preview.snapshot.state };
    }
    const done = await this.writer.apply([{ name, input: { type: 'ACQUIRE' } }]);
    return { permitted: done.results[0].permitted === true, state: done.breakers[0].record.snapshot.state };
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

/** Runs a config resolution, reporting an invalid setting as BAD_USER_INPUT at `prefix.<setting>`. */
function withField<T>(prefix: string, resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    if (error instanceof InvalidConfigError) throw AppError.badInput(`${prefix}.${error.field}`, error.message);
    throw error;
  }
}
