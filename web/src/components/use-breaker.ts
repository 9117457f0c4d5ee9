import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Api } from '../api';
import { EMPTY_LOG, EventLogState, EventPage, prepend, withNewest, withOlder } from '../event-log';
import { BreakerState, ErrorCount, HealthStatus, Recommendation, RecoveryEvent, StatsPoint } from '../model';
import { BREAKER, ERRORS, EVENTS, LIVE_EVENTS, RECOMMENDATIONS, STATS } from '../queries';
import { keepTransitions, TIMELINE_MS } from '../timeline';
import { BreakerConfig } from './ConfigEditor';

export interface BreakerDetail {
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

export interface StatsRange {
  label: string;
  ms: number;
  step: number;
}

const TRANSITION_TYPES = ['CIRCUIT_OPENED', 'CIRCUIT_HALF_OPENED', 'CIRCUIT_CLOSED', 'CIRCUIT_RESET', 'CIRCUIT_FORCED_OPEN', 'CIRCUIT_DISABLED'];
/** The timeline reads at most this many pages of 500 transitions. */
const TIMELINE_PAGES = 10;
const EVENT_PAGE = 25;
/** The recovery-time chart shows the latest this many. */
const RECOVERIES = 100;

/**
 * Everything the breaker view shows, read over HTTP and kept current by the breaker's live event
 * feed. Each kind of read is numbered, so that an answer older than one already applied is
 * dropped; live events are merged by id, never replaced by a read that started before them.
 */
export function useBreaker(api: Api, name: string, range: StatsRange) {
  const [breaker, setBreaker] = useState<BreakerDetail | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [log, setLog] = useState<EventLogState>(EMPTY_LOG);
  const [transitions, setTransitions] = useState<RecoveryEvent[]>([]);
  const [recoveries, setRecoveries] = useState<RecoveryEvent[]>([]);
  const [stats, setStats] = useState<StatsPoint[]>([]);
  const [errors, setErrors] = useState<ErrorCount[]>([]);
  const [advice, setAdvice] = useState<Recommendation[]>([]);
  const [now, setNow] = useState(Date.now());
  const breakerReads = useRef({ started: 0, applied: 0 });
  const statsReads = useRef({ started: 0, applied: 0 });

  const loadBreaker = useCallback(async () => {
    const reads = breakerReads.current;
    const seq = ++reads.started;
    const answer = await api.request<{ breaker: BreakerDetail | null }>(BREAKER, { name });
    if (seq < reads.applied) return;
    reads.applied = seq;
    setBreaker((shown) =>
      shown && answer.breaker && shown.stateChangedAt > answer.breaker.stateChangedAt
        ? { ...answer.breaker, state: shown.state, stateChangedAt: shown.stateChangedAt, openUntil: shown.openUntil }
        : answer.breaker,
    );
    setNow(Date.now());
  }, [api, name]);

  const loadAll = useCallback(async () => {
    try {
      setError(null);
      const since = new Date(Date.now() - TIMELINE_MS).toISOString();
      const [page, report, top] = await Promise.all([
        api.request<{ breakerEvents: EventPage }>(EVENTS, { name, first: EVENT_PAGE }),
        api.request<{ recoveryReport: { recommendations: Recommendation[] } }>(RECOMMENDATIONS),
        api.request<{ breakerErrors: ErrorCount[] }>(ERRORS, { name, since }),
        loadBreaker(),
      ]);
      setLog((old) => withNewest(old, page.breakerEvents));
      setAdvice(report.recoveryReport.recommendations.filter((r) => r.breakerName === name));
      setErrors(top.breakerErrors);
      const read = await readTransitions(api, name);
      setTransitions((old) => keepTransitions(old, read, Date.now()));
      const recovered = await api.request<{ breakerEvents: EventPage }>(EVENTS, {
        name,
        first: RECOVERIES,
        types: ['RECOVERY_SUCCEEDED'],
      });
      const nodes = recovered.breakerEvents.edges.map((e) => e.node).reverse();
      setRecoveries((old) => lastRecoveries([...old, ...nodes]));
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, [api, name, loadBreaker]);

  const loadStats = useCallback(async () => {
    const reads = statsReads.current;
    const seq = ++reads.started;
    try {
      const since = new Date(Date.now() - range.ms).toISOString();
      const answer = await api.request<{ breakerStats: StatsPoint[] }>(STATS, { name, since, step: range.step });
      if (seq < reads.applied) return; // a later range's answer is shown already
      reads.applied = seq;
      setStats(answer.breakerStats);
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, [api, name, range]);

  useEffect(() => {
    void loadAll();
    const stopLive = api.subscribe<{ recoveryEvents: RecoveryEvent }>(LIVE_EVENTS, { name }, ({ recoveryEvents: e }) => {
      setLog((old) => prepend(old, e));
      if (e.toState) {
        const to = e.toState;
        setTransitions((old) => keepTransitions(old, [e], Date.now()));
        // The event says the state; a re-read brings openUntil and the metrics.
        setBreaker((shown) =>
          shown && e.occurredAt >= shown.stateChangedAt
            ? { ...shown, state: to, stateChangedAt: e.occurredAt, openUntil: to === 'OPEN' ? shown.openUntil : null }
            : shown,
        );
        setNow(Date.now());
        void loadBreaker().catch(() => undefined);
      }
      if (e.type === 'RECOVERY_SUCCEEDED') setRecoveries((old) => lastRecoveries([...old, e]));
    });
    const stopReconnect = api.onReconnect(() => void loadAll());
    // The timeline's band moves on with the clock between events.
    const clock = setInterval(() => setNow(Date.now()), 30_000);
    return () => {
      stopLive();
      stopReconnect();
      clearInterval(clock);
    };
  }, [api, name, loadAll, loadBreaker]);

  useEffect(() => {
    void loadStats();
    const timer = setInterval(() => void loadStats(), 30_000);
    return () => clearInterval(timer);
  }, [loadStats]);

  const more = async () => {
    try {
      const page = await api.request<{ breakerEvents: EventPage }>(EVENTS, { name, first: EVENT_PAGE, after: log.cursor });
      setLog((old) => withOlder(old, page.breakerEvents));
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return { breaker, error, log, transitions, recoveries, stats, errors, advice, now, more, loadBreaker };
}

/** The latest RECOVERIES, each once, oldest first. */
function lastRecoveries(events: RecoveryEvent[]): RecoveryEvent[] {
  const byId = new Map(events.map((e) => [e.id, e]));
  const sorted = [...byId.values()].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  return sorted.slice(Math.max(0, sorted.length - RECOVERIES));
}

/** The transitions of the last 24 h, newest first as read, a bounded number of pages. */
async function readTransitions(api: Api, name: string): Promise<RecoveryEvent[]> {
  const start = Date.now() - TIMELINE_MS;
  const found: RecoveryEvent[] = [];
  let after: string | null = null;
  for (let page = 0; page < TIMELINE_PAGES; page++) {
    const answer: { breakerEvents: EventPage } = await api.request<{ breakerEvents: EventPage }>(EVENTS, {
      name,
      first: 500,
      after,
      types: TRANSITION_TYPES,
    });
    const nodes = answer.breakerEvents.edges.map((e) => e.node);
    found.push(...nodes);
    after = answer.breakerEvents.pageInfo.endCursor;
    const oldest = nodes[nodes.length - 1];
    if (!answer.breakerEvents.pageInfo.hasNextPage || !oldest || new Date(oldest.occurredAt).getTime() < start) break;
  }
  return found;
}
