import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  colour: string;
  values: (number | null)[];
  /** Drawn as bars rather than a line. */
  bars?: boolean;
}

/** A uPlot chart of series over time (`times` in epoch seconds), as wide as its container. */
export function Chart({
  title,
  times,
  series,
  unit,
}: {
  title: string;
  times: number[];
  series: ChartSeries[];
  unit: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = () => Math.max(240, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 200,
        title,
        scales: { x: { time: true } },
        axes: [{}, { label: unit, size: 60 }],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.colour,
            fill: s.bars ? `${s.colour}66` : undefined,
            width: 2,
            paths: s.bars ? uPlot.paths.bars?.({ size: [0.8, 40] }) : undefined,
            spanGaps: false,
          })),
        ],
      },
      [times, ...series.map((s) => s.values)] as uPlot.AlignedData,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 200 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [title, times, series, unit]);
  return (
    <figure class="chart">
      <div
        ref={box}
        role="img"
        aria-label={`${title} chart`}
        data-chart={title}
        data-points={times.length}
        data-max={Math.max(0, ...(series[0]?.values ?? []).map((v) => v ?? 0))}
      />
    </figure>
  );
}
