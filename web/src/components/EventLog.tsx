import { formatInfo, formatTime } from '../format';
import { RecoveryEvent, STATE_LABELS } from '../model';

/** The breaker's events, newest first; live ones are prepended, older pages loaded on demand. */
export function EventLog({
  events,
  hasMore,
  onMore,
}: {
  events: readonly RecoveryEvent[];
  hasMore: boolean;
  onMore: () => void;
}) {
  return (
    <section class="events" aria-label="Event log">
      <h2>Events</h2>
      {events.length === 0 && <p>No events yet.</p>}
      <ol>
        {events.map((e) => (
          <li key={e.id} data-event-type={e.type}>
            <time dateTime={e.occurredAt}>{formatTime(e.occurredAt)}</time> <strong>{e.type}</strong>
            {e.fromState && e.toState && (
              <span>
                {' '}
                {STATE_LABELS[e.fromState]} → {STATE_LABELS[e.toState]}
              </span>
            )}
            {Object.keys(e.info).length > 0 && <div class="info">{formatInfo(e.info)}</div>}
          </li>
        ))}
      </ol>
      {hasMore && (
        <button type="button" onClick={onMore}>
          Older events
        </button>
      )}
    </section>
  );
}
