import type { Distribution } from '../api/types';
import { bars } from './distribution';

interface Props {
  dist: Distribution;
  /** a conditional distribution of the same node, drawn over the marginal */
  overlay?: Distribution | null;
  title?: string;
}

const W = 300;
const H = 150;
const PAD = { l: 30, r: 6, t: 8, b: 34 };

/** A bar chart (categorical) or histogram (continuous) of shares, with an optional overlay. */
export function DistributionPlot({ dist, overlay, title }: Props) {
  const base = bars(dist);
  const over = overlay ? bars(overlay) : null;
  const overBy = new Map(over?.map((b) => [b.label, b]) ?? []);
  const maxShare = Math.max(0.01, ...base.map((b) => b.share), ...(over ?? []).map((b) => b.share));
  const n = Math.max(1, base.length);
  const slot = (W - PAD.l - PAD.r) / n;
  const gap = dist.categorical ? slot * 0.18 : 1;
  const y = (share: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - share / maxShare);
  const labelEvery = Math.ceil(n / 8);

  return (
    <figure style={{ margin: 0 }}>
      <svg className="dist-plot" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title ?? `Distribution of ${dist.node?.name ?? 'the node'}`}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={PAD.l} x2={W - PAD.r} y1={y(maxShare * f)} y2={y(maxShare * f)} stroke="#e5e7eb" />
            <text x={PAD.l - 4} y={y(maxShare * f) + 3} textAnchor="end">
              {Math.round(maxShare * f * 100)}%
            </text>
          </g>
        ))}
        {base.map((b, i) => {
          const x = PAD.l + i * slot + gap / 2;
          const w = Math.max(1, slot - gap);
          const o = overBy.get(b.label) ?? (over && Array.isArray(overlay?.bins) ? over[i] : undefined);
          return (
            <g key={b.label}>
              <rect className="bar" x={x} y={y(b.share)} width={w} height={H - PAD.b - y(b.share)}>
                <title>
                  {b.label}: {b.count} ({(b.share * 100).toFixed(1)} %)
                </title>
              </rect>
              {o && (
                <rect className="bar cond" x={x + w * 0.25} y={y(o.share)} width={w * 0.5} height={H - PAD.b - y(o.share)}>
                  <title>
                    {o.label} given the conditions: {o.count} ({(o.share * 100).toFixed(1)} %)
                  </title>
                </rect>
              )}
              {i % labelEvery === 0 && (
                <text x={x + w / 2} y={H - PAD.b + 12} textAnchor={dist.categorical ? 'middle' : 'start'} transform={dist.categorical ? undefined : `rotate(30 ${x + w / 2} ${H - PAD.b + 12})`}>
                  {b.label.length > 14 ? `${b.label.slice(0, 13)}…` : b.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {over && (
        <figcaption className="faint" style={{ fontSize: '0.8rem' }}>
          <span className="swatch" style={{ borderColor: '#93b4f5' }} /> all rows <span className="swatch" style={{ borderColor: '#2563eb', marginLeft: '0.6rem' }} /> rows meeting the conditions
        </figcaption>
      )}
    </figure>
  );
}
