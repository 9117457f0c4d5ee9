import { useMemo, useState } from 'preact/hooks';
import { Api } from '../api';
import { RecoveryEvent, STATE_COLOURS, STATE_LABELS, StatsPoint, Viewer } from '../model';
import { spansOf } from '../timeline';
import { AdminActions, configAction, PendingAction } from './AdminActions';
import { BreakerAdvice, BreakerFigures } from './BreakerFigures';
import { Chart, ChartSeries } from './Chart';
import { ConfigEditor } from './ConfigEditor';
import { Elapsed } from './Elapsed';
import { EventLog } from './EventLog';
import { StateTimeline } from './StateTimeline';
import { StatsRange, useBreaker } from './use-breaker';

const RANGES: StatsRange[] = [
  { label: '1 h', ms: 3_600_000, step: 60_000 },
  { label: '6 h', ms: 6 * 3_600_000, step: 300_000 },
  { label: '24 h', ms: 24 * 3_600_000, step: 900_000 },
];

/** One breaker's whole story: its state over the day, its figures, its events, and what to change. */
export function BreakerView({ name, api, viewer }: { name: string; api: Api; viewer: Viewer }) {
  const [range, setRange] = useState(RANGES[0]);
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [editing, setEditing] = useState(false);
  const story = useBreaker(api, name, range);
  const { breaker, error, log, now } = story;
  const admin = viewer.role === 'ADMIN';
  const charts = useMemo(() => chartsOf(story.stats, story.recoveries), [story.stats, story.recoveries]);
  const spans = useMemo(() => (breaker ? spansOf(story.transitions, breaker.state, now) : []), [story.transitions, breaker, now]);

  if (breaker === undefined) return error ? <p class="error" role="alert">{error}</p> : <p>Loading {name}…</p>;
  if (breaker === null) {
    return (
      <p class="error" role="alert">
        There is no breaker named “{name}”. <a href="/">Back to the fleet</a>
      </p>
    );
  }

  return (
    <article class="breaker" data-breaker-view={breaker.name} data-state={breaker.state}>
      <header class="breaker-head">
        <h1>{breaker.name}</h1>
        <span class={`badge state-${breaker.state}`}>{STATE_LABELS[breaker.state]}</span>
        <span class={`grade grade-${breaker.health}`}>{breaker.health}</span>
        <Elapsed since={breaker.stateChangedAt} until={breaker.state === 'OPEN' ? breaker.openUntil : null} />
      </header>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {admin && (
        <AdminActions
          api={api}
          name={breaker.name}
          actor={viewer.name}
          pending={pending}
          setPending={(action) => {
            setEditing(false);
            setPending(action);
          }}
          onEditConfig={() => {
            setPending(null);
            setEditing(true);
          }}
          onRecorded={() => void story.loadBreaker()}
        />
      )}
      {admin && editing && (
        <ConfigEditor
          config={breaker.config}
          onCancel={() => setEditing(false)}
          onSubmit={(changed) => {
            setEditing(false);
            setPending(configAction('Change the config', changed));
          }}
        />
      )}
      <StateTimeline spans={spans} now={now} />
      <div class="range" role="group" aria-label="Chart range">
        {RANGES.map((r) => (
          <button key={r.label} type="button" aria-pressed={r === range} onClick={() => setRange(r)}>
            {r.label}
          </button>
        ))}
      </div>
      <div class="charts">
        <Chart title="Calls and failures" unit="calls" times={charts.times} series={charts.volume} />
        <Chart title="Latency" unit="ms" times={charts.times} series={charts.latency} />
        {charts.recoveryTimes.length > 0 ? (
          <Chart title="Recovery time" unit="s" times={charts.recoveryTimes} series={charts.recovery} />
        ) : (
          <p class="chart-empty">No recovery yet: each completed recovery's time is charted here.</p>
        )}
      </div>
      <BreakerFigures
        metrics={breaker.metrics}
        extra={{ consecutiveFailures: breaker.consecutiveFailures, currentOpenTimeoutMs: breaker.currentOpenTimeoutMs }}
        config={breaker.config}
        errors={story.errors}
      />
      <BreakerAdvice
        advice={story.advice}
        onApply={admin ? (r) => setPending(configAction(`Apply ${r.kind}`, r.suggestedConfig!)) : null}
      />
      <EventLog events={log.events} hasMore={log.hasMore} onMore={() => void story.more()} />
    </article>
  );
}

function chartsOf(stats: StatsPoint[], recoveries: RecoveryEvent[]) {
  const times = stats.map((p) => new Date(p.at).getTime() / 1000);
  const volume: ChartSeries[] = [
    { label: 'Calls', colour: '#0072b2', values: stats.map((p) => p.calls), bars: true },
    { label: 'Failures', colour: STATE_COLOURS.OPEN, values: stats.map((p) => p.failures), bars: true },
  ];
  const latency: ChartSeries[] = [
    { label: 'p50', colour: '#0072b2', values: stats.map((p) => p.p50Ms) },
    { label: 'p99', colour: '#e69f00', values: stats.map((p) => p.p99Ms) },
  ];
  const recoveryTimes = recoveries.map((e) => new Date(e.occurredAt).getTime() / 1000);
  const recovery: ChartSeries[] = [
    {
      label: 'Recovery time',
      colour: STATE_COLOURS.CLOSED,
      values: recoveries.map((e) => Number(e.info.recoveryTimeMs ?? 0) / 1000),
      bars: true,
    },
  ];
  return { times, volume, latency, recoveryTimes, recovery };
}
