/** The results as a markdown table: scenario, figure, value. */
export function markdownTable(results: { database: string; mode: string; scenarios: object }): string {
  const lines = [
    `Database: ${results.database}; scale: ${results.mode}`,
    '',
    '| scenario | figure | value |',
    '|---|---|---|',
  ];
  for (const [scenario, figures] of Object.entries(results.scenarios) as [string, Record<string, number>][]) {
    for (const [figure, value] of Object.entries(figures)) lines.push(`| ${scenario} | ${figure} | ${value} |`);
  }
  return lines.join('\n');
}
