import { Module } from '@nestjs/common';
import { RetentionJob } from './retention.job';
import { RetentionStore } from './retention.store';

/** Upkeep of the stored history, on its own schedule: retention. */
@Module({ providers: [RetentionStore, RetentionJob], exports: [RetentionJob] })
export class MaintenanceModule {}
