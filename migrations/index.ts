import { InitialSchema1795916400000 } from './1795916400000-InitialSchema';
import { Analytics1795920000000 } from './1795920000000-Analytics';
import { ApiKeys1795923000000 } from './1795923000000-ApiKeys';
import { BreakerVersionBigint1795926000000 } from './1795926000000-BreakerVersionBigint';
import { OutcomeBatches1795926100000 } from './1795926100000-OutcomeBatches';
import { ApiKeyScope1795926200000 } from './1795926200000-ApiKeyScope';
import { TripPolicies1795926900000 } from './1795926900000-TripPolicies';
import { OutcomeStatistics1795927000000 } from './1795927000000-OutcomeStatistics';
import { ConcludedRecoveries1795927100000 } from './1795927100000-ConcludedRecoveries';
import { RecoveryHistogram1795927200000 } from './1795927200000-RecoveryHistogram';
import { SnapshotsOnChange1795927300000 } from './1795927300000-SnapshotsOnChange';
import { PartitionEvents1795927400000 } from './1795927400000-PartitionEvents';
import { LatencyApart1795927500000 } from './1795927500000-LatencyApart';

/** Every migration, oldest first. Listed explicitly so that the compiled app and the tests load the same set. */
export const MIGRATIONS = [
  InitialSchema1795916400000,
  Analytics1795920000000,
  ApiKeys1795923000000,
  BreakerVersionBigint1795926000000,
  OutcomeBatches1795926100000,
  ApiKeyScope1795926200000,
  TripPolicies1795926900000,
  OutcomeStatistics1795927000000,
  ConcludedRecoveries1795927100000,
  RecoveryHistogram1795927200000,
  SnapshotsOnChange1795927300000,
  PartitionEvents1795927400000,
  LatencyApart1795927500000,
];
