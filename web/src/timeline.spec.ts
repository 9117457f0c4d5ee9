import { RecoveryEvent } from './model';
import { keepTransitions, spansOf, TIMELINE_CAP, TIMELINE_MS } from './timeline';

const NOW = Date.UTC(2031, 0, 2, 12, 0, 0);
let id = 0;
const t = (msAgo: number, from: RecoveryEvent['fromState'], to: RecoveryEvent['toState']): RecoveryEvent => ({
  id: String(++id),
  type: 'X',
  fromState: from,
  toState: to,
  occurredAt: new Date(NOW - msAgo).toISOString(),
  info: {},
});

describe('timeline', () => {
  it('one span of the current state without transitions', () => {
    expect(spansOf([], 'CLOSED', NOW)).toEqual([{ state: 'CLOSED', from: NOW - TIMELINE_MS, to: NOW }]);
  });

  it('starts with the state before the first transition, then follows them in time order', () => {
    const events = [t(1000, 'OPEN', 'HALF_OPEN'), t(5000, 'CLOSED', 'OPEN'), t(500, 'HALF_OPEN', 'CLOSED')];
    expect(spansOf(events, 'CLOSED', NOW)).toEqual([
      { state: 'CLOSED', from: NOW - TIMELINE_MS, to: NOW - 5000 },
      { state: 'OPEN', from: NOW - 5000, to: NOW - 1000 },
      { state: 'HALF_OPEN', from: NOW - 1000, to: NOW - 500 },
      { state: 'CLOSED', from: NOW - 500, to: NOW },
    ]);
  });

  it('leaves out transitions older than 24 h, and events that are not transitions', () => {
    const events = [t(TIMELINE_MS + 1, 'CLOSED', 'OPEN'), t(2000, 'OPEN', 'CLOSED'), t(1000, null, null)];
    expect(spansOf(events, 'CLOSED', NOW).map((s) => s.state)).toEqual(['OPEN', 'CLOSED']);
  });

  it('keeps each transition once, within the day, the newest TIMELINE_CAP', () => {
    const a = t(1000, 'CLOSED', 'OPEN');
    expect(keepTransitions([a], [a, t(TIMELINE_MS + 5, 'OPEN', 'CLOSED')], NOW)).toEqual([a]);
    const many = Array.from({ length: TIMELINE_CAP + 10 }, (_, i) => t(TIMELINE_CAP + 10 - i, 'CLOSED', 'OPEN'));
    const kept = keepTransitions([], many, NOW);
    expect(kept).toHaveLength(TIMELINE_CAP);
    expect(kept[kept.length - 1]).toBe(many[many.length - 1]);
  });
});
