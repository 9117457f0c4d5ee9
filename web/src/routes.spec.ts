import { breakerPath, parseRoute } from './routes';

describe('routes', () => {
  it.each(['payments-api', 'a/b@c:d', 'x.y', '.', '..', '...'])('%p goes to its page and back', (name) => {
    const path = breakerPath(name);
    expect(new URL(path, 'http://h').pathname).toBe(path); // no dot segment resolved away
    expect(parseRoute(path)).toEqual({ page: 'breaker', name });
  });

  it('knows the fleet and the recommendations, and falls back to the fleet', () => {
    expect(parseRoute('/')).toEqual({ page: 'fleet' });
    expect(parseRoute('/recommendations')).toEqual({ page: 'recommendations' });
    expect(parseRoute('/breakers/%E0%A4%A')).toEqual({ page: 'fleet' });
  });
});
