import { Module } from '@nestjs/common';
import { EventPartitions } from './event-partitions';
import { RetentionJob } from './retention.job';
import { RetentionStore } from './retention.store';

/** Upkeep of the stored history, on its own schedule: retention, and the months of events ahead. */
@Module({ providers: [EventPartitions, RetentionStore, RetentionJob], exports: [RetentionJob] })
export class MaintenanceModule {}
