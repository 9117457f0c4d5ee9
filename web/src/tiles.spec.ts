import { Tile, TileBreaker } from './model';
import { applyTransition, mergeFleet, refreshTile, toTile } from './tiles';

const breaker = (over: Partial<TileBreaker> = {}): TileBreaker => ({
  name: 'pay',
  state: 'CLOSED',
  health: 'HEALTHY',
  stateChangedAt: '2031-01-01T10:00:00.000Z',
  openUntil: null,
  ...over,
});

describe('tiles', () => {
  it('figures: calls per minute over the minutes read, and the failure rate', () => {
    const tile = toTile(breaker(), { breakerName: 'pay', calls: [30, 0, 90], failures: [3, 0, 9] }, 60);
    expect(tile).toMatchObject({ volume: 120, perMinute: 2, failureRate: 10 });
    expect(toTile(breaker(), undefined, 60)).toMatchObject({ volume: 0, perMinute: 0, failureRate: null });
  });

  it('a read that started before a live transition does not move the tile back', () => {
    const live = applyTransition(toTile(breaker(), undefined, 60), {
      breakerName: 'pay',
      from: 'CLOSED',
      to: 'FORCED_OPEN',
      at: '2031-01-01T10:05:00.000Z',
    });
    const fleet = mergeFleet(new Map([['pay', live]]), [breaker({ health: 'DEGRADED' })], [], 60);
    expect(fleet.get('pay')).toMatchObject({
      state: 'FORCED_OPEN',
      stateChangedAt: '2031-01-01T10:05:00.000Z',
      health: 'DEGRADED',
    });
    // A read from after it wins.
    const later = breaker({ state: 'CLOSED', stateChangedAt: '2031-01-01T10:06:00.000Z' });
    expect(mergeFleet(new Map([['pay', live]]), [later], [], 60).get('pay')!.state).toBe('CLOSED');
  });

  it('a live transition older than what the tile shows changes nothing', () => {
    const tile = toTile(breaker({ state: 'OPEN', stateChangedAt: '2031-01-01T10:05:00.000Z' }), undefined, 60);
    const stale = { breakerName: 'pay', from: 'CLOSED' as const, to: 'HALF_OPEN' as const, at: '2031-01-01T10:01:00.000Z' };
    expect(applyTransition(tile, stale)).toBe(tile);
  });

  it('a re-read of one breaker keeps its figures, and drops the sparkline of a breaker with no activity', () => {
    const shown: Tile = toTile(breaker(), { breakerName: 'pay', calls: [60], failures: [6] }, 60);
    const open = breaker({ state: 'OPEN', stateChangedAt: '2031-01-01T10:07:00.000Z', openUntil: '2031-01-01T10:08:00.000Z' });
    expect(refreshTile(shown, open)).toMatchObject({ state: 'OPEN', openUntil: open.openUntil, volume: 60, perMinute: 1 });
    expect(mergeFleet(new Map([['pay', shown]]), [breaker()], [], 60).get('pay')!.calls).toEqual([]);
  });
});
