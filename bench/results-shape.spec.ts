import { REQUIRED_FIGURES, shapeProblems } from './results-shape';

function complete(): Record<string, Record<string, number>> {
  return Object.fromEntries(
    Object.entries(REQUIRED_FIGURES).map(([s, figures]) => [s, Object.fromEntries(figures.map((f) => [f, 1]))]),
  );
}

describe('bench results shape', () => {
  it('accepts every required figure as a finite number, and extra figures too', () => {
    const scenarios = complete();
    scenarios.ingest.graphql_floor_outcomes_per_s = 2;
    expect(shapeProblems(scenarios)).toEqual([]);
  });

  it('names a missing scenario, a missing figure and a figure that is not a finite number', () => {
    const scenarios = complete();
    delete scenarios.memory;
    delete scenarios.engine.bare_ops_s;
    scenarios.ingest.ratio_vs_raw = NaN;
    (scenarios.fanout as Record<string, unknown>).p99_ms = '58';
    expect(shapeProblems(scenarios)).toEqual([
      'engine.bare_ops_s is missing',
      'scenario "memory" is missing',
      'ingest.ratio_vs_raw is NaN, not a finite number',
      'fanout.p99_ms is "58", not a finite number',
    ]);
  });

  it('requires, when limited to some scenarios, only their figures, and refuses any other scenario', () => {
    const { sdk, engine } = complete();
    expect(shapeProblems({ sdk }, ['sdk'])).toEqual([]);
    delete sdk.lost;
    expect(shapeProblems({ sdk, engine }, ['sdk'])).toEqual(['sdk.lost is missing', 'scenario "engine" was not run']);
  });

  it('names a scenario it does not know', () => {
    expect(shapeProblems({}, ['sdk', 'nope'])).toEqual(['scenario "sdk" is missing', 'scenario "nope" is unknown']);
  });
});
