import { countOf } from './latency-histogram';
import { HOUR_MS, MINUTE_MS, OutcomeStats } from './outcome-stats';
import { encodePart, sumParts } from './stat-parts';

const T = Date.UTC(2026, 0, 1, 10, 0, 0);

describe('statistics parts', () => {
  it('encodes nothing for outcomes without latency or errors', () => {
    const stats = new OutcomeStats();
    stats.add(1, 'a', T, true, null, false, null);
    expect(encodePart(stats)).toBeNull();
  });

  it('adds up the parts of several transactions to what one accumulator would have held', () => {
    const all = new OutcomeStats();
    const parts: string[] = [];
    for (let tx = 0; tx < 3; tx++) {
      const stats = new OutcomeStats();
      for (let i = 0; i < 100; i++) {
        const at = T + ((tx * 100 + i) % 7) * 10 * MINUTE_MS; // across two hours
        const args = [
          1 + (i % 2),
          'x',
          at,
          i % 3 !== 0,
          i % 5 === 0 ? null : i * 1.5,
          false,
          i % 3 === 0 ? `e ${i % 4}` : null,
        ] as const;
        stats.add(...args);
        all.add(...args);
      }
      parts.push(encodePart(stats)!);
    }
    const sums = sumParts(parts);
    expect(sums.latency.map((l) => [l.breakerId, l.minuteStart, [...l.histogram].sort((a, b) => a[0] - b[0])])).toEqual(
      all
        .minutes()
        .filter((m) => m.latency.size > 0)
        .map((m) => [m.breakerId, m.minuteStart, [...m.latency].sort((a, b) => a[0] - b[0])]),
    );
    expect(sums.latency.reduce((n, l) => n + countOf(l.histogram), 0)).toBe(240);
    expect(sums.errors).toEqual(all.errors());
    expect(new Set(sums.errors.map((e) => e.hourStart))).toEqual(new Set([T, T + HOUR_MS]));
  });

  it('keeps a message that is any text, "__proto__" included', () => {
    const stats = new OutcomeStats();
    stats.add(1, 'a', T, false, null, false, '__proto__');
    stats.add(1, 'a', T, false, null, false, 'constructor');
    const sums = sumParts([encodePart(stats)!, encodePart(stats)!]);
    expect(sums.errors.map((e) => [e.message, e.count])).toEqual([
      ['__proto__', 2],
      ['constructor', 2],
    ]);
  });
});
