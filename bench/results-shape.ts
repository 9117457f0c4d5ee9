/** The figures every run must report, per scenario: the JSON contract. Others may be added freely. */
export const REQUIRED_FIGURES: Record<string, readonly string[]> = {
  engine: ['ours_ops_s', 'opossum_ops_s', 'cockatiel_ops_s', 'bare_ops_s', 'ratio_vs_opossum', 'ratio_vs_cockatiel'],
  ingest: ['batch_size', 'outcomes_per_s', 'raw_pg_rows_per_s', 'ratio_vs_raw'],
  report: ['breakers', 'events', 'p50_ms', 'p99_ms', 'raw_sql_p50_ms', 'recompute_ms'],
  fanout: ['subscribers', 'expected', 'delivered', 'p50_ms', 'p99_ms'],
  memory: ['rss_mb_idle', 'rss_mb_fanout'],
};

/**
 * The problems with a run's scenarios: a required figure missing, or any figure that is not a
 * finite number. Empty when the results keep the contract; the harness refuses to write otherwise.
 */
export function shapeProblems(scenarios: Record<string, object>): string[] {
  const problems: string[] = [];
  for (const [scenario, figures] of Object.entries(REQUIRED_FIGURES)) {
    const got = scenarios[scenario];
    if (!got) {
      problems.push(`scenario "${scenario}" is missing`);
      continue;
    }
    for (const figure of figures) if (!(figure in got)) problems.push(`${scenario}.${figure} is missing`);
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
