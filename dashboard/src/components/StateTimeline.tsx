import { formatTime } from '../format';
import { BreakerState, RecoveryEvent, STATE_COLOURS, STATE_LABELS } from '../model';

export const TIMELINE_MS = 24 * 3_600_000;

interface Span {
  state: BreakerState;
  from: number;
  to: number;
}

/**
 * The states over the last 24 h, as a band: from the transitions in that window (oldest first),
 * the state before the first of them, and the current state at the end.
 */
export function spansOf(transitions: RecoveryEvent[], current: BreakerState, now: number): Span[] {
  const start = now - TIMELINE_MS;
  const inWindow = transitions
    .filter((e) => e.toState && new Date(e.occurredAt).getTime() >= start)
    .sort((a, b) => new Date(a.occurredAt).getTime() - new Date(b.occurredAt).getTime());
  const spans: Span[] = [];
  let state: BreakerState = inWindow[0]?.fromState ?? current;
  let from = start;
  for (const event of inWindow) {
    const at = new Date(event.occurredAt).getTime();
    if (at > from) spans.push({ state, from, to: at });
    state = event.toState!;
    from = at;
  }
  spans.push({ state, from, to: now });
  return spans;
}

export function StateTimeline({ spans, now }: { spans: Span[]; now: number }) {
  const start = now - TIMELINE_MS;
  const x = (t: number) => ((t - start) / TIMELINE_MS) * 100;
  return (
    <figure class="timeline">
      <figcaption>State over the last 24 h</figcaption>
      <svg viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="State timeline" data-spans={spans.length}>
        {spans.map((s) => (
          <rect key={`${s.from}-${s.state}`} x={x(s.from)} y={0} width={Math.max(0.2, x(s.to) - x(s.from))} height={10} fill={STATE_COLOURS[s.state]}>
            <title>
              {STATE_LABELS[s.state]} from {formatTime(new Date(s.from).toISOString())}
            </title>
          </rect>
        ))}
      </svg>
      <ul class="legend">
        {[...new Set(spans.map((s) => s.state))].map((state) => (
          <li key={state}>
            <span class="dot" style={{ background: STATE_COLOURS[state] }} aria-hidden="true" /> {STATE_LABELS[state]}
          </li>
        ))}
      </ul>
    </figure>
  );
}
