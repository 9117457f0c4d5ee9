import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { BreakerScope } from '../auth/breaker-scope';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { Role } from '../auth/role';
import { RequireRole } from '../auth/roles.decorator';
import { Breaker, Permission, RecordOutcomesResult } from './breaker.model';
import { BreakersService } from './breakers.service';
import {
  AcquirePermissionArgs,
  AdminActionArgs,
  BreakerNameArgs,
  BreakersArgs,
  RecordOutcomeArgs,
  RegisterBreakerArgs,
  UpdateBreakerConfigArgs,
  MAX_BATCH_SIZE,
} from './dto/breaker.args';
import { BatchIdPipe, OutcomeBatchPipe } from './dto/outcome-batch.pipe';
import { OutcomeInput } from './dto/outcome.input';

/** Breaker queries and mutations: validated arguments in, one service call out. */
@Resolver(() => Breaker)
export class BreakersResolver {
  constructor(private readonly service: BreakersService) {}

  @Query(() => [Breaker], { description: 'All breakers, by name.' })
  async breakers(@Args() { state }: BreakersArgs, @CurrentPrincipal() by: Principal): Promise<Breaker[]> {
    const scope = BreakerScope.of(by);
    return (await this.service.findAll(state)).filter((b) => scope.includes(b.name));
  }

  @Query(() => Breaker, { nullable: true, description: 'The named breaker, or null.' })
  breaker(@Args() { name }: BreakerNameArgs, @CurrentPrincipal() by: Principal): Promise<Breaker | null> {
    BreakerScope.of(by).require([name]);
    return this.service.findOne(name);
  }

  @RequireRole(Role.REPORTER)
  @Mutation(() => Breaker, { description: 'Creates a breaker; an existing name comes back unchanged.' })
  registerBreaker(@Args() { input }: RegisterBreakerArgs, @CurrentPrincipal() by: Principal): Promise<Breaker> {
    BreakerScope.of(by).require([input.name]);
    return this.service.register(input.name, input.config, by);
  }

  @RequireRole(Role.ADMIN)
  @Mutation(() => Breaker, { description: 'Changes settings; those left out keep their value.' })
  updateBreakerConfig(
    @Args() { name, config, reason }: UpdateBreakerConfigArgs,
    @CurrentPrincipal() by: Principal,
  ): Promise<Breaker> {
    BreakerScope.of(by).require([name]);
    return this.service.updateConfig(name, config, { reason, actor: by.name });
  }

  @RequireRole(Role.REPORTER)
  @Mutation(() => Breaker)
  recordOutcome(@Args() { input }: RecordOutcomeArgs, @CurrentPrincipal() by: Principal): Promise<Breaker> {
    BreakerScope.of(by).require([input.breakerName]);
    return this.service.recordOutcome(input);
  }

  @RequireRole(Role.REPORTER)
  @Mutation(() => RecordOutcomesResult, {
    description:
      'Applies a batch in one transaction, in order, all or nothing. With a batchId, a retry of a batch that committed is not applied again.',
  })
  recordOutcomes(
    @Args(
      'outcomes',
      {
        type: () => [OutcomeInput],
        description: `Up to ${MAX_BATCH_SIZE} outcomes, applied in order, all or nothing.`,
      },
      OutcomeBatchPipe,
    )
    outcomes: OutcomeInput[],
    @Args(
      'batchId',
      {
        type: () => ID,
        nullable: true,
        description:
          'Chosen by the client: 1 to 100 printable ASCII characters, no spaces (a UUID, say), unique per API key. A batch whose id has committed is not applied again; ids are kept at least 24 h.',
      },
      BatchIdPipe,
    )
    batchId: string | null,
    @CurrentPrincipal() by: Principal,
  ): Promise<RecordOutcomesResult> {
    BreakerScope.of(by).require(outcomes.map((o) => o.breakerName));
    return this.service.recordOutcomes(outcomes, batchId ? { keyId: by.keyId, batchId } : undefined);
  }

  @RequireRole(Role.REPORTER)
  @Mutation(() => Permission, {
    description: 'Whether a call may go ahead now; in HALF_OPEN this takes a trial permit.',
  })
  acquirePermission(
    @Args() { breakerName }: AcquirePermissionArgs,
    @CurrentPrincipal() by: Principal,
  ): Promise<Permission> {
    BreakerScope.of(by).require([breakerName]);
    return this.service.acquirePermission(breakerName);
  }

  @RequireRole(Role.ADMIN)
  @Mutation(() => Breaker, { description: 'Back to CLOSED from any state; metrics and history are kept.' })
  resetBreaker(@Args() { name, reason }: AdminActionArgs, @CurrentPrincipal() by: Principal): Promise<Breaker> {
    BreakerScope.of(by).require([name]);
    return this.service.reset(name, { reason, actor: by.name });
  }

  @RequireRole(Role.ADMIN)
  @Mutation(() => Breaker, { description: 'FORCED_OPEN: permits nothing and never moves by itself.' })
  forceOpenBreaker(@Args() { name, reason }: AdminActionArgs, @CurrentPrincipal() by: Principal): Promise<Breaker> {
    BreakerScope.of(by).require([name]);
    return this.service.forceOpen(name, { reason, actor: by.name });
  }

  @RequireRole(Role.ADMIN)
  @Mutation(() => Breaker, { description: 'DISABLED: permits everything, counts every outcome, never trips.' })
  disableBreaker(@Args() { name, reason }: AdminActionArgs, @CurrentPrincipal() by: Principal): Promise<Breaker> {
    BreakerScope.of(by).require([name]);
    return this.service.disable(name, { reason, actor: by.name });
  }
}
