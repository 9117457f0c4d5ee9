/** The figures every run must report, per scenario: the JSON contract. Others may be added freely. */
export const REQUIRED_FIGURES: Record<string, readonly string[]> = {
  engine: ['ours_ops_s', 'opossum_ops_s', 'cockatiel_ops_s', 'bare_ops_s', 'ratio_vs_opossum', 'ratio_vs_cockatiel'],
  ingest: ['batch_size', 'outcomes_per_s', 'raw_pg_rows_per_s', 'ratio_vs_raw'],
  report: ['breakers', 'events', 'p50_ms', 'p99_ms', 'raw_sql_p50_ms', 'recompute_ms'],
  fanout: ['subscribers', 'expected', 'delivered', 'p50_ms', 'p99_ms'],
  memory: ['rss_mb_idle', 'rss_mb_fanout'],
  sdk: [
    'closed_ops_s',
    'ratio_vs_in_process',
    'trip_propagation_p99_ms',
    'force_open_propagation_p99_ms',
    'reported',
    'reported_per_s',
    'lost',
  ],
  dashboard: ['first_render_ms_1000', 'transition_to_paint_p99_ms'],
  history: [
    'breakers',
    'events',
    'report_p50_ms',
    'report_p99_ms',
    'events_page_busy_p50_ms',
    'events_page_quiet_p50_ms',
    'health_history_p50_ms',
    'stats_24h_p50_ms',
    'recompute_ms',
    'retention_ms',
    'db_mb_per_million_events',
    'report_p50_ms_at_1m',
    'events_page_quiet_p50_ms_at_1m',
  ],
};

/** The scenarios a run may be limited to (`--only`), in the order a full run takes them. */
export const SCENARIO_NAMES: readonly string[] = Object.keys(REQUIRED_FIGURES);

/**
 * The problems with a run's scenarios: a required figure missing, or any figure that is not a
 * finite number. Empty when the results keep the contract; the harness refuses to write otherwise.
 * `ran` names the scenarios the run was limited to (`--only`); by default, all of them.
 */
export function shapeProblems(scenarios: Record<string, object>, ran: readonly string[] = SCENARIO_NAMES): string[] {
  const problems: string[] = [];
  for (const scenario of ran) {
    const figures = REQUIRED_FIGURES[scenario];
    if (!figures) {
      problems.push(`scenario "${scenario}" is unknown`);
      continue;
    }
    const got = scenarios[scenario];
    if (!got) {
      problems.push(`scenario "${scenario}" is missing`);
      continue;
    }
    for (const figure of figures) if (!(figure in got)) problems.push(`${scenario}.${figure} is missing`);
  }
  for (const scenario of Object.keys(scenarios)) {
    if (!ran.includes(scenario)) problems.push(`scenario "${scenario}" was not run`);
  }
  for (const [scenario, figures] of Object.entries(scenarios)) {
    for (const [figure, value] of Object.entries(figures as Record<string, unknown>)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
        problems.push(`${scenario}.${figure} is ${shown}, not a finite number`);
      }
    }
  }
  return problems;
}
