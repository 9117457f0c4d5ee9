import { formatTime } from '../format';
import { STATE_COLOURS, STATE_LABELS } from '../model';
import { Span, TIMELINE_MS } from '../timeline';

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
      <ul class="visually-hidden">
        {spans.map((s) => (
          <li key={`${s.from}-${s.state}`}>
            {STATE_LABELS[s.state]} from {formatTime(new Date(s.from).toISOString())} to {formatTime(new Date(s.to).toISOString())}
          </li>
        ))}
      </ul>
      <ul class="legend" aria-hidden="true">
        {[...new Set(spans.map((s) => s.state))].map((state) => (
          <li key={state}>
            <span class="dot" style={{ background: STATE_COLOURS[state] }} aria-hidden="true" /> {STATE_LABELS[state]}
          </li>
        ))}
      </ul>
    </figure>
  );
}
