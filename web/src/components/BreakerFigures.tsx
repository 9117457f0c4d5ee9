import { formatCount, formatInfo, formatMs, formatTime } from '../format';
import { ErrorCount, Recommendation } from '../model';
import { BreakerConfig } from './ConfigEditor';

/** The breaker's metrics and config, and its top errors. */
export function BreakerFigures({
  metrics,
  extra,
  config,
  errors,
}: {
  metrics: Record<string, number | string | null>;
  extra: Record<string, number>;
  config: BreakerConfig;
  errors: ErrorCount[];
}) {
  return (
    <section class="numbers" aria-label="Figures">
      <h2>Metrics</h2>
      <dl>
        {Object.entries({ ...metrics, ...extra }).map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>{formatMetric(key, value)}</dd>
          </div>
        ))}
      </dl>
      <h2>Config</h2>
      <dl>
        {Object.entries(config).map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>{value === null ? 'off' : String(value)}</dd>
          </div>
        ))}
      </dl>
      <h2>Top errors, last 24 h</h2>
      {errors.length === 0 ? (
        <p>No errors reported.</p>
      ) : (
        <table class="errors">
          <thead>
            <tr>
              <th scope="col">Message</th>
              <th scope="col">Count</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e) => (
              <tr key={e.message}>
                <td>
                  <code>{e.message}</code>
                </td>
                <td>{formatCount(e.count)}</td>
                <td>{formatTime(e.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The breaker's recommendations with their evidence; an admin may apply a suggested config. */
export function BreakerAdvice({
  advice,
  onApply,
}: {
  advice: Recommendation[];
  onApply: ((r: Recommendation) => void) | null;
}) {
  return (
    <section class="advice" aria-label="Recommendations">
      <h2>Recommendations</h2>
      {advice.length === 0 && <p>Nothing to change.</p>}
      <ul>
        {advice.map((r) => (
          <li key={r.kind} class={`severity-${r.severity}`}>
            <strong>{r.severity}</strong> {r.kind}: {r.message}
            <div class="info">Evidence: {formatInfo(r.evidence)}</div>
            {r.suggestedConfig && (
              <div>
                Suggested: <code>{formatInfo(r.suggestedConfig)}</code>{' '}
                {onApply && (
                  <button type="button" onClick={() => onApply(r)}>
                    Apply
                  </button>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function formatMetric(key: string, value: number | string | null): string {
  if (value === null) return '–';
  if (typeof value === 'string') return formatTime(value);
  return key.endsWith('Ms') ? formatMs(value) : formatCount(value);
}
