import { BreakerConfig } from './breaker-config';
import { AdminContext } from './engine-event';

/** What can happen to a breaker. Every input first lets time pass (see `step`). */
export type BreakerInput =
  /**
   * A caller asks whether it may call the dependency now. `permitId`, chosen by the caller and
   * unique, names the trial permit should HALF_OPEN grant one; absent, no permit can be granted
   * and a HALF_OPEN breaker refuses. Asked again under a live permit's id (a retried request),
   * HALF_OPEN answers with that same permit and takes no second slot.
   */
  | { readonly type: 'ACQUIRE'; readonly permitId?: string }
  /** A caller reports how a call went. */
  | {
      readonly type: 'OUTCOME';
      readonly success: boolean;
      /** How long the call took; null or absent: unknown, and then never slow. */
      readonly durationMs?: number | null;
      /** When the call happened (epoch ms); absent: `now`. Decides its window bucket and whether it is a straggler. */
      readonly occurredAt?: number;
      /** The trial permit the call ran under, as ACQUIRE granted it. */
      readonly permitId?: string | null;
    }
  /** Nothing but the passing of time: lets due timed transitions happen. */
  | { readonly type: 'ADVANCE' }
  | { readonly type: 'RESET'; readonly admin?: AdminContext }
  | { readonly type: 'FORCE_OPEN'; readonly admin?: AdminContext }
  | { readonly type: 'DISABLE'; readonly admin?: AdminContext }
  /** Replaces the config; the caller has validated it (see `resolveConfig`). */
  | { readonly type: 'CONFIGURE'; readonly config: BreakerConfig; readonly admin?: AdminContext };
