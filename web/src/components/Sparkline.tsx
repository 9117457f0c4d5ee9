/** Calls (line) and failures (filled) per step, as one small SVG: cheap enough for a thousand tiles. */
export function Sparkline({ calls, failures }: { calls: number[]; failures: number[] }) {
  const width = 120;
  const height = 28;
  if (calls.length === 0) return <svg class="spark" width={width} height={height} aria-hidden="true" />;
  const max = Math.max(1, ...calls);
  const x = (i: number) => (calls.length === 1 ? width / 2 : (i / (calls.length - 1)) * width);
  const y = (v: number) => height - 1 - (v / max) * (height - 2);
  const line = calls.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const area = `0,${height} ${failures.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')} ${width},${height}`;
  return (
    <svg class="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
      <polygon class="spark-failures" points={area} />
      <polyline class="spark-calls" points={line} />
    </svg>
  );
}
