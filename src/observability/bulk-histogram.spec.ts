import { Histogram, Registry } from 'prom-client';
import { BulkHistogram } from './bulk-histogram';

const BOUNDS = [0.001, 0.01, 0.1, 1];

/** Non-cumulative counts per bound, as the stats accumulator hands them over. */
function bucketed(values: number[]): number[] {
  const counts = new Array(BOUNDS.length + 1).fill(0);
  for (const v of values) {
    const i = BOUNDS.findIndex((b) => v <= b);
    counts[i === -1 ? BOUNDS.length : i]++;
  }
  return counts;
}

describe('BulkHistogram', () => {
  // Binary fractions, so that sums in any order are exact; on, under and over the bounds.
  const samples: Record<string, number[]> = {
    'svc-a': [2 ** -11, 2 ** -10, 2 ** -9, 0.046875, 0.5, 1, 3, 7.25],
    'svc "b"\\n': [0.09375, 0.09375, 2 ** -16],
  };

  it('renders exactly as a prom-client Histogram fed the same values one by one', async () => {
    const reference = new Registry();
    const histogram = new Histogram({
      name: 'call_seconds',
      help: 'How long.',
      labelNames: ['breaker'],
      buckets: BOUNDS,
      registers: [reference],
    });
    const bulk = new Registry();
    const ours = new BulkHistogram('call_seconds', 'How long.', 'breaker', BOUNDS, bulk);
    for (const [breaker, values] of Object.entries(samples)) {
      for (const v of values) histogram.observe({ breaker }, v);
      // In two parts, as two transactions would add them.
      const half = Math.floor(values.length / 2);
      const first = values.slice(0, half);
      const second = values.slice(half);
      ours.add(
        breaker,
        bucketed(first),
        first.reduce((a, b) => a + b, 0),
      );
      ours.add(
        breaker,
        bucketed(second),
        second.reduce((a, b) => a + b, 0),
      );
    }
    expect(await bulk.metrics()).toBe(await reference.metrics());
    // The JSON form too, but for prom-client's exemplars (null: none), which this histogram has no use for.
    const withoutExemplars = (await reference.getMetricsAsJSON()).map((m) => ({
      ...m,
      values: m.values.map(({ labels, value, metricName }: any) => ({ labels, value, metricName })),
    }));
    expect(await bulk.getMetricsAsJSON()).toEqual(withoutExemplars);
  });

  it('adds no series for empty counts, refuses counts of the wrong length, and resets', async () => {
    const registry = new Registry();
    const ours = new BulkHistogram('h', 'h', 'breaker', BOUNDS, registry);
    ours.add('quiet', [0, 0, 0, 0, 0], 0);
    expect(await registry.metrics()).not.toContain('quiet');
    expect(() => ours.add('x', [1, 2], 3)).toThrow(RangeError);
    ours.add('busy', [1, 0, 0, 0, 1], 5);
    expect(await registry.metrics()).toContain('h_count{breaker="busy"} 2');
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('busy');
  });
});
