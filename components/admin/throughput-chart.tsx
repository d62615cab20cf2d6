// Jobs finished per minute over the last hour, as a small inline SVG bar chart: completed
// stacked under failed, the newest minute on the right. No chart library needed.

const WIDTH = 360;
const HEIGHT = 72;
const TOP = 12;

export interface ThroughputChartProps {
  completed: { endMinute: number; points: number[]; total: number };
  failed: { endMinute: number; points: number[]; total: number };
  label: string;
}

const clock = (minute: number) => new Date(minute * 60_000).toISOString().slice(11, 16);

export function ThroughputChart({ completed, failed, label }: ThroughputChartProps) {
  const n = completed.points.length;
  const max = Math.max(1, ...completed.points.map((c, i) => c + (failed.points[i] ?? 0)));
  const slot = WIDTH / n;
  const scale = (v: number) => (v / max) * (HEIGHT - TOP);
  const summary = `${label}: ${completed.total} completed and ${failed.total} failed in the last hour`;
  return (
    <figure className="min-w-0">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + 14}`} role="img" aria-label={summary} className="h-auto w-full max-w-md">
        <title>{summary}</title>
        <line x1={0} y1={HEIGHT + 0.5} x2={WIDTH} y2={HEIGHT + 0.5} className="stroke-slate-300" />
        <text x={0} y={9} className="fill-slate-600 text-[9px]">{max} / min</text>
        {completed.points.map((c, i) => {
          const f = failed.points[i] ?? 0;
          const x = i * slot + 0.5;
          const hc = scale(c);
          const hf = scale(f);
          const minute = completed.endMinute - (n - 1 - i);
          return (
            <g key={i}>
              <title>{`${clock(minute)} UTC: ${c} completed, ${f} failed`}</title>
              {/* an invisible full-height target so thin bars still show their tooltip */}
              <rect x={x} y={TOP} width={slot - 1} height={HEIGHT - TOP} className="fill-transparent" />
              {c > 0 && <rect x={x} y={HEIGHT - hc} width={slot - 1} height={hc} className="fill-indigo-500" />}
              {f > 0 && <rect x={x} y={HEIGHT - hc - hf} width={slot - 1} height={hf} className="fill-red-500" />}
            </g>
          );
        })}
        <text x={0} y={HEIGHT + 12} className="fill-slate-600 text-[9px]">60 min ago</text>
        <text x={WIDTH} y={HEIGHT + 12} textAnchor="end" className="fill-slate-600 text-[9px]">now</text>
      </svg>
      <figcaption className="mt-1 flex gap-4 text-xs text-slate-600">
        <span><span aria-hidden className="mr-1 inline-block h-2 w-2 rounded-sm bg-indigo-500" />{completed.total} completed</span>
        <span><span aria-hidden className="mr-1 inline-block h-2 w-2 rounded-sm bg-red-500" />{failed.total} failed</span>
      </figcaption>
    </figure>
  );
}
