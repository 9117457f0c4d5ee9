import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Api } from '../api';
import { formatCount, formatInfo, formatMs, formatTime } from '../format';
import {
  BreakerState,
  ErrorCount,
  HealthStatus,
  Recommendation,
  RecoveryEvent,
  STATE_COLOURS,
  STATE_LABELS,
  StatsPoint,
  Viewer,
} from '../model';
import { BREAKER, ERRORS, EVENTS, LIVE_EVENTS, RECOMMENDATIONS, STATS } from '../queries';
import { AdminActions, configAction, PendingAction } from './AdminActions';
import { Chart, ChartSeries } from './Chart';
import { BreakerConfig, ConfigEditor } from './ConfigEditor';
import { Elapsed } from './Elapsed';
import { EventLog } from './EventLog';
import { spansOf, StateTimeline, TIMELINE_MS } from './StateTimeline';

interface Breaker {
  name: string;
  state: BreakerState;
  health: HealthStatus;
  stateChangedAt: string;
  openUntil: string | null;
  consecutiveFailures: number;
  currentOpenTimeoutMs: number;
  config: BreakerConfig;
  metrics: Record<string, number | string | null>;
}

interface EventPage {
  breakerEvents: { edges: { node: RecoveryEvent }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
}

const RANGES = [
  { label: '1 h', ms: 3_600_000, step: 60_000 },
  { label: '6 h', ms: 6 * 3_600_000, step: 300_000 },
  { label: '24 h', ms: 24 * 3_600_000, step: 900_000 },
];
const TRANSITION_TYPES = ['CIRCUIT_OPENED', 'CIRCUIT_HALF_OPENED', 'CIRCUIT_CLOSED', 'CIRCUIT_RESET', 'CIRCUIT_FORCED_OPEN', 'CIRCUIT_DISABLED'];
/** The timeline reads at most this many pages of 500 transitions: a day of a flapping breaker. */
const TIMELINE_PAGES = 10;
const EVENT_PAGE = 25;

/** One breaker's whole story: its state over the day, its figures, its events, and what to change. */
export function BreakerView({ name, api, viewer }: { name: string; api: Api; viewer: Viewer }) {
  const [breaker, setBreaker] = useState<Breaker | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [events, setEvents] = useState<RecoveryEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [transitions, setTransitions] = useState<RecoveryEvent[]>([]);
  const [recoveries, setRecoveries] = useState<RecoveryEvent[]>([]);
  const [range, setRange] = useState(RANGES[0]);
  const [stats, setStats] = useState<StatsPoint[]>([]);
  const [errors, setErrors] = useState<ErrorCount[]>([]);
  const [advice, setAdvice] = useState<Recommendation[]>([]);
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [editing, setEditing] = useState(false);
  const [now, setNow] = useState(Date.now());
  const admin = viewer.role === 'ADMIN';

  const loadBreaker = useCallback(async () => {
    const answer = await api.request<{ breaker: Breaker | null }>(BREAKER, { name });
    setBreaker(answer.breaker);
    setNow(Date.now());
  }, [api, name]);

  const loadAll = useCallback(async () => {
    try {
      setError(null);
      const since = new Date(Date.now() - TIMELINE_MS).toISOString();
      const [page, report, top] = await Promise.all([
        api.request<EventPage>(EVENTS, { name, first: EVENT_PAGE }),
        api.request<{ recoveryReport: { recommendations: Recommendation[] } }>(RECOMMENDATIONS),
        api.request<{ breakerErrors: ErrorCount[] }>(ERRORS, { name, since }),
        loadBreaker(),
      ]);
      setEvents(page.breakerEvents.edges.map((e) => e.node));
      setCursor(page.breakerEvents.pageInfo.endCursor);
      setHasMore(page.breakerEvents.pageInfo.hasNextPage);
      setAdvice(report.recoveryReport.recommendations.filter((r) => r.breakerName === name));
      setErrors(top.breakerErrors);
      setTransitions(await readTransitions(api, name));
      const recovered = await api.request<EventPage>(EVENTS, { name, first: 100, types: ['RECOVERY_SUCCEEDED'] });
      setRecoveries(recovered.breakerEvents.edges.map((e) => e.node).reverse());
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, [api, name, loadBreaker]);

  const loadStats = useCallback(async () => {
    try {
      const since = new Date(Date.now() - range.ms).toISOString();
      const answer = await api.request<{ breakerStats: StatsPoint[] }>(STATS, { name, since, step: range.step });
      setStats(answer.breakerStats);
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, [api, name, range]);

  useEffect(() => {
    void loadAll();
    const stopLive = api.subscribe<{ recoveryEvents: RecoveryEvent }>(LIVE_EVENTS, { name }, ({ recoveryEvents: e }) => {
      setEvents((old) => (old.some((o) => o.id === e.id) ? old : [e, ...old]));
      if (e.toState) {
        setTransitions((old) => [...old, e]);
        void loadBreaker().catch(() => undefined);
      }
      if (e.type === 'RECOVERY_SUCCEEDED') setRecoveries((old) => [...old, e]);
    });
    const stopReconnect = api.onReconnect(() => void loadAll());
    return () => {
      stopLive();
      stopReconnect();
    };
  }, [api, name, loadAll, loadBreaker]);

  useEffect(() => {
    void loadStats();
    const timer = setInterval(() => void loadStats(), 30_000);
    return () => clearInterval(timer);
  }, [loadStats]);

  const more = async () => {
    try {
      const page = await api.request<EventPage>(EVENTS, { name, first: EVENT_PAGE, after: cursor });
      setEvents((old) => [...old, ...page.breakerEvents.edges.map((e) => e.node)]);
      setCursor(page.breakerEvents.pageInfo.endCursor);
      setHasMore(page.breakerEvents.pageInfo.hasNextPage);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  const charts = useMemo(() => chartsOf(stats, recoveries), [stats, recoveries]);

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
          pending={pending}
          setPending={(action) => {
            setEditing(false);
            setPending(action);
          }}
          onEditConfig={() => {
            setPending(null);
            setEditing(true);
          }}
          onRecorded={() => void loadBreaker()}
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
      <StateTimeline spans={spansOf(transitions, breaker.state, now)} now={now} />
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
      <section class="numbers" aria-label="Figures">
        <h2>Metrics</h2>
        <dl>
          {Object.entries(breaker.metrics).map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>{formatMetric(key, value)}</dd>
            </div>
          ))}
          <div>
            <dt>consecutiveFailures</dt>
            <dd>{breaker.consecutiveFailures}</dd>
          </div>
          <div>
            <dt>currentOpenTimeoutMs</dt>
            <dd>{formatMs(breaker.currentOpenTimeoutMs)}</dd>
          </div>
        </dl>
        <h2>Config</h2>
        <dl>
          {Object.entries(breaker.config).map(([key, value]) => (
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
                  {admin && (
                    <button type="button" onClick={() => setPending(configAction(`Apply ${r.kind}`, r.suggestedConfig!))}>
                      Apply
                    </button>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      </section>
      <EventLog events={events} hasMore={hasMore} onMore={() => void more()} />
    </article>
  );
}

/** The transitions of the last 24 h, newest first as read, a bounded number of pages. */
async function readTransitions(api: Api, name: string): Promise<RecoveryEvent[]> {
  const start = Date.now() - TIMELINE_MS;
  const found: RecoveryEvent[] = [];
  let after: string | null = null;
  for (let page = 0; page < TIMELINE_PAGES; page++) {
    const answer: EventPage = await api.request<EventPage>(EVENTS, { name, first: 500, after, types: TRANSITION_TYPES });
    const nodes = answer.breakerEvents.edges.map((e) => e.node);
    found.push(...nodes);
    after = answer.breakerEvents.pageInfo.endCursor;
    const oldest = nodes[nodes.length - 1];
    if (!answer.breakerEvents.pageInfo.hasNextPage || !oldest || new Date(oldest.occurredAt).getTime() < start) break;
  }
  return found;
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

function formatMetric(key: string, value: number | string | null): string {
  if (value === null) return '–';
  if (typeof value === 'string') return formatTime(value);
  return key.endsWith('Ms') ? formatMs(value) : formatCount(value);
}
