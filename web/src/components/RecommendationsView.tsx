import { useEffect, useState } from 'preact/hooks';
import { Api } from '../api';
import { formatInfo, formatTime } from '../format';
import { Recommendation, SEVERITY_ORDER } from '../model';
import { RECOMMENDATIONS } from '../queries';
import { breakerPath } from '../router';

/** All current advice across the fleet, the most severe first, each linking to its breaker. */
export function RecommendationsView({ api }: { api: Api }) {
  const [report, setReport] = useState<{ generatedAt: string; recommendations: Recommendation[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () =>
      api
        .request<{ recoveryReport: { generatedAt: string; recommendations: Recommendation[] } }>(RECOMMENDATIONS)
        .then((d) => setReport(d.recoveryReport), (failure: Error) => setError(failure.message));
    void load();
    return api.onReconnect(() => void load());
  }, [api]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!report) return <p>Loading the recommendations…</p>;
  const sorted = [...report.recommendations].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.breakerName.localeCompare(b.breakerName),
  );
  return (
    <section class="recommendations">
      <h1>Recommendations</h1>
      <p>As of the report of {formatTime(report.generatedAt)}.</p>
      {sorted.length === 0 && <p>Nothing to change across the fleet.</p>}
      <ul>
        {sorted.map((r) => (
          <li key={`${r.breakerName}-${r.kind}`} class={`severity-${r.severity}`} data-recommendation={r.kind}>
            <strong>{r.severity}</strong> <a href={breakerPath(r.breakerName)}>{r.breakerName}</a> · {r.kind}
            <p>{r.message}</p>
            <div class="info">Evidence: {formatInfo(r.evidence)}</div>
            {r.suggestedConfig && <div class="info">Suggested: {formatInfo(r.suggestedConfig)}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}
