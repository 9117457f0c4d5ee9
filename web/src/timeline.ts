import { BreakerState, RecoveryEvent } from './model';

export const TIMELINE_MS = 24 * 3_600_000;
/** The transitions the timeline keeps: a day of a breaker flapping every 20 s. */
export const TIMELINE_CAP = 5000;

export interface Span {
  state: BreakerState;
  from: number;
  to: number;
}

const time = (e: RecoveryEvent): number => new Date(e.occurredAt).getTime();

/**
 * The states over the last 24 h, as spans: from the transitions in that window (oldest first),
 * the state before the first of them, and the current state at the end.
 */
export function spansOf(transitions: readonly RecoveryEvent[], current: BreakerState, now: number): Span[] {
  const start = now - TIMELINE_MS;
  const inWindow = transitions.filter((e) => e.toState && time(e) >= start && time(e) <= now).sort((a, b) => time(a) - time(b));
  const spans: Span[] = [];
  let state: BreakerState = inWindow[0]?.fromState ?? current;
  let from = start;
  for (const event of inWindow) {
    const at = time(event);
    if (at > from) spans.push({ state, from, to: at });
    state = event.toState!;
    from = at;
  }
  spans.push({ state, from, to: now });
  return spans;
}

/** The transitions with `incoming` added: each once, within the last 24 h of `now`, at most TIMELINE_CAP (the newest). */
export function keepTransitions(
  old: readonly RecoveryEvent[],
  incoming: readonly RecoveryEvent[],
  now: number,
): RecoveryEvent[] {
  const byId = new Map<string, RecoveryEvent>();
  for (const e of [...old, ...incoming]) if (e.toState && time(e) >= now - TIMELINE_MS) byId.set(e.id, e);
  const kept = [...byId.values()].sort((a, b) => time(a) - time(b));
  return kept.slice(Math.max(0, kept.length - TIMELINE_CAP));
}
