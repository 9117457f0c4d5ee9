import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { JSONScalar } from '../../common/scalars/json.scalar';
import { HealthStatus } from '../health-status';
import { RecommendationKind, Severity } from '../recommendations/recommendation';

// Registered here rather than beside the enums: grading and the rules stay free of Nest.
registerEnumType(HealthStatus, { name: 'HealthStatus' });
registerEnumType(RecommendationKind, { name: 'RecommendationKind' });
registerEnumType(Severity, { name: 'Severity' });

@ObjectType()
export class Recommendation {
  @Field()
  breakerName: string;

  @Field(() => RecommendationKind)
  kind: RecommendationKind;

  @Field(() => Severity)
  severity: Severity;

  @Field({ description: 'Names the breaker and the numbers behind the advice.' })
  message: string;

  @Field(() => JSONScalar, { nullable: true, description: 'The setting to change, e.g. {"openTimeoutMs": 90000}.' })
  suggestedConfig: Record<string, number | string> | null;

  @Field(() => JSONScalar)
  evidence: Record<string, unknown>;
}

@ObjectType()
export class ServiceRecoveryInfo {
  @Field()
  name: string;

  @Field(() => HealthStatus)
  healthStatus: HealthStatus;

  @Field(() => Float, {
    description:
      'Successful over concluded recoveries within HEALTH_WINDOW_MS (default 24 h); 1.0 while none concluded there. The status rests on it.',
  })
  recoveryRate: number;

  @Field(() => Float, { description: 'Successful over concluded recoveries since the breaker was registered.' })
  lifetimeRecoveryRate: number;

  @Field(() => Float)
  averageDowntimeMs: number;
}

@ObjectType({ description: 'How many breakers have each status.' })
export class StatusCounts {
  @Field(() => Int)
  healthy: number;

  @Field(() => Int)
  degraded: number;

  @Field(() => Int)
  unhealthy: number;

  @Field(() => Int)
  critical: number;
}

@ObjectType()
export class RecoveryReport {
  /** Served by AnalyticsResolver.services, with its filter and page. */
  services: ServiceRecoveryInfo[];

  @Field(() => HealthStatus, { description: 'The worst status of any breaker; HEALTHY when there are none.' })
  overallSystemHealth: HealthStatus;

  @Field(() => Date)
  generatedAt: Date;

  /** Served by AnalyticsResolver.recommendations, with its filter and page. */
  recommendations: Recommendation[];
}

@ObjectType()
export class HealthSnapshot {
  @Field()
  breakerName: string;

  @Field(() => HealthStatus)
  status: HealthStatus;

  @Field(() => Float)
  recoveryRate: number;

  @Field(() => Float)
  averageDowntimeMs: number;

  @Field(() => Date)
  computedAt: Date;
}

@ObjectType()
export class HealthChange {
  @Field()
  breakerName: string;

  @Field(() => HealthStatus, { nullable: true, description: 'Null for the first grade of a breaker.' })
  from: HealthStatus | null;

  @Field(() => HealthStatus)
  to: HealthStatus;

  @Field(() => Date)
  at: Date;
}
