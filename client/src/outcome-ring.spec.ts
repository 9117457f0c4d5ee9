import { OutcomeRing } from './outcome-ring';

describe('OutcomeRing', () => {
  it('keeps outcomes in order across growth and wrap-around, dropping the oldest at its bound', () => {
    const ring = new OutcomeRing(10, 2);
    const id = ring.nameId('a');
    expect(ring.nameId('a')).toBe(id);
    const dropped: boolean[] = [];
    for (let n = 0; n < 14; n++) dropped.push(ring.push(id, n % 2 === 0, 1000 + n, n, n % 3 === 0 ? `e${n}` : undefined, undefined));
    expect(dropped.filter(Boolean)).toHaveLength(4);
    expect(ring.size).toBe(10);
    const first = ring.shift(3);
    expect(first.map((o) => o.durationMs)).toEqual([4, 5, 6]);
    expect(first[2]).toEqual({ breakerName: 'a', success: true, occurredAt: 1006, durationMs: 6, error: 'e6' });
    for (let n = 14; n < 17; n++) ring.push(id, true, 1000 + n, NaN, undefined, `p${n}`);
    const rest = ring.shift(100);
    expect(rest.map((o) => o.occurredAt)).toEqual([1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015, 1016]);
    expect(rest[9]).toEqual({ breakerName: 'a', success: true, occurredAt: 1016, permitId: 'p16' });
    expect(ring.size).toBe(0);
  });

  it('keeps an outcome added as an object as it is, among the others', () => {
    const ring = new OutcomeRing(100);
    ring.push(ring.nameId('a'), false, 1, 2, 'boom', undefined);
    const given = { breakerName: 'b', success: true, occurredAt: '2026-01-01T00:00:00.000Z' };
    ring.pushObject(given);
    const [a, b] = ring.shift(2);
    expect(a).toEqual({ breakerName: 'a', success: false, occurredAt: 1, durationMs: 2, error: 'boom' });
    expect(b).toBe(given);
  });

  it('cuts a batch short before its JSON could pass maxBytes, taking one at least', () => {
    const ring = new OutcomeRing(100);
    const id = ring.nameId('a');
    for (let n = 0; n < 10; n++) ring.push(id, false, n, 1, 'x'.repeat(1000), undefined);
    expect(ring.shift(10, 20_000)).toHaveLength(3);
    expect(ring.shift(10, 10)).toHaveLength(1);
    expect(ring.size).toBe(6);
  });
});
