import { Module } from '@nestjs/common';
import { OutcomeStatsStore } from './outcome-stats.store';
import { StatsFolder } from './stats-folder';
import { StatsQueryStore } from './stats-query.store';
import { StatsResolver } from './stats.resolver';
import { StatsService } from './stats.service';

/**
 * Statistics kept from every outcome. The write path (breakers/) adds them in its transaction
 * through OutcomeStatsStore, StatsFolder folds what it appended, and this module serves them. It
 * imports no other feature, so breakers/ can depend on it without a cycle.
 */
@Module({
  providers: [OutcomeStatsStore, StatsFolder, StatsQueryStore, StatsService, StatsResolver],
  exports: [OutcomeStatsStore],
})
export class StatsModule {}
