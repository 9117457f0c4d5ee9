import { BreakerConfig } from './breaker-config';
import { AdminContext } from './engine-event';

/** What can happen to a breaker. Every input first lets time pass (see `step`). */
export type BreakerInput =
  /** A caller asks whether it may call the dependency now. */
  | { readonly type: 'ACQUIRE' }
  /** A caller reports how a call went. */
  | { readonly type: 'OUTCOME'; readonly success: boolean }
  /** Nothing but the passing of time: lets due timed transitions happen. */
  | { readonly type: 'ADVANCE' }
  | { readonly type: 'RESET'; readonly admin?: AdminContext }
  | { readonly type: 'FORCE_OPEN'; readonly admin?: AdminContext }
  | { readonly type: 'DISABLE'; readonly admin?: AdminContext }
  /** Replaces the config; the caller has validated it (see `resolveConfig`). */
  | { readonly type: 'CONFIGURE'; readonly config: BreakerConfig; readonly admin?: AdminContext };
