import { useId, useState, type CSSProperties } from 'react';
import type { ChartPoint, ChartSeries } from '../benchmark';
import { clipDiagonal } from './axes';
import { formatTick, linePath, linearScale, logScale, type Scale, type ScaleKind } from './scale';

export interface AxisSpec {
  label: string;
  kind: ScaleKind;
  domain: [number, number];
  /** categorical axes: the text of tick i */
  categories?: string[];
  /** said after the label, in brackets (a zoomed rate axis: "zoomed: 0–0.08") */
  note?: string;
  /** whole numbers only (counts: SHD): no ticks in between */
  integer?: boolean;
}

interface Props {
  /** names the chart for tests (`chart-<id>`) */
  id: string;
  title: string;
  x: AxisSpec;
  y: AxisSpec;
  series: ChartSeries[];
  /** connect each series' points in order */
  connect?: boolean;
  /** the chance line y = x (ROC), where it crosses the plot */
  diagonal?: boolean;
  describe: (p: ChartPoint) => string[];
  onOpen: (p: ChartPoint) => void;
}

const W = 460;
const H = 300;
const M = { left: 54, right: 14, top: 12, bottom: 44 };

/** Where the tooltip goes: above the point (below near the top), kept inside the chart at the sides. */
function tooltipPlace(fx: number, fy: number, colour: string): CSSProperties {
  const dx = fx < 0.3 ? '-12px' : fx > 0.7 ? 'calc(-100% + 12px)' : '-50%';
  const dy = fy < 0.35 ? '14px' : 'calc(-100% - 10px)';
  return { left: `${fx * 100}%`, top: `${fy * 100}%`, transform: `translate(${dx}, ${dy})`, borderColor: colour };
}

function scaleFor(axis: AxisSpec, range: [number, number]): Scale {
  if (axis.categories) return linearScale([-0.5, axis.categories.length - 0.5], range);
  return axis.kind === 'log' ? logScale(axis.domain, range) : linearScale(axis.domain, range);
}

function ticksOf(axis: AxisSpec, scale: Scale): { value: number; text: string }[] {
  if (axis.categories) return axis.categories.map((text, value) => ({ value, text }));
  const ticks = axis.integer ? scale.ticks().filter(Number.isInteger) : scale.ticks();
  return ticks.map((value) => ({ value, text: formatTick(value) }));
}

/** The axis title: the label, then "log" and the zoom in brackets. */
function axisTitle(axis: AxisSpec): string {
  const notes = [axis.kind === 'log' && !axis.categories ? 'log' : null, axis.note].filter(Boolean);
  return notes.length ? `${axis.label} (${notes.join(', ')})` : axis.label;
}

/**
 * A scatter chart in SVG: axes with ticks, a line per series, min–max whiskers, a tooltip per
 * point (hover or keyboard focus) and a click (or Enter) that opens the point.
 */
export function Chart({ id, title, x, y, series, connect = true, diagonal, describe, onOpen }: Props) {
  const titleId = useId();
  const [hover, setHover] = useState<{ point: ChartPoint; colour: string } | null>(null);
  const sx = scaleFor(x, [M.left, W - M.right]);
  const sy = scaleFor(y, [H - M.bottom, M.top]);
  const xTicks = ticksOf(x, sx);
  const yTicks = ticksOf(y, sy);
  const count = series.reduce((n, s) => n + s.points.length, 0);
  const chance = diagonal ? clipDiagonal(sx.domain, sy.domain) : null;
  // Points drawn on top of each other (runs that found the same graph): the tooltip names them all.
  const sameSpot = (p: ChartPoint) =>
    series.flatMap((s) =>
      s.points.filter((q) => q !== p && Math.abs(sx(q.x) - sx(p.x)) < 1 && Math.abs(sy(q.y) - sy(p.y)) < 1),
    );

  return (
    <figure className="chart" data-testid={`chart-${id}`}>
      <figcaption id={titleId}>{title}</figcaption>
      <div className="chart-plot">
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={titleId} aria-describedby={`${titleId}-d`}>
          <desc id={`${titleId}-d`}>
            {`${axisTitle(y)} against ${axisTitle(x)}: ${count} ${count === 1 ? 'point' : 'points'} in ${series.length} ${series.length === 1 ? 'series' : 'series'}.`}
          </desc>
          <g className="chart-grid" aria-hidden>
            {yTicks.map((t) => (
              <line key={`y${t.value}`} x1={M.left} x2={W - M.right} y1={sy(t.value)} y2={sy(t.value)} />
            ))}
            {xTicks.map((t) => (
              <line key={`x${t.value}`} y1={M.top} y2={H - M.bottom} x1={sx(t.value)} x2={sx(t.value)} />
            ))}
          </g>
          <g className="chart-axis" aria-hidden>
            <line x1={M.left} x2={W - M.right} y1={H - M.bottom} y2={H - M.bottom} />
            <line x1={M.left} x2={M.left} y1={M.top} y2={H - M.bottom} />
            {xTicks.map((t) => (
              <text key={t.value} x={sx(t.value)} y={H - M.bottom + 16} textAnchor="middle" data-tick="x">
                {t.text}
              </text>
            ))}
            {yTicks.map((t) => (
              <text key={t.value} x={M.left - 6} y={sy(t.value) + 4} textAnchor="end" data-tick="y">
                {t.text}
              </text>
            ))}
            <text className="chart-label" x={(M.left + W - M.right) / 2} y={H - 6} textAnchor="middle">
              {axisTitle(x)}
            </text>
            <text
              className="chart-label"
              transform={`translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)`}
              textAnchor="middle"
            >
              {axisTitle(y)}
            </text>
          </g>
          {chance && (
            <line
              className="chart-diagonal"
              aria-hidden
              data-from={chance[0][0]}
              data-to={chance[1][0]}
              x1={sx(chance[0][0])}
              y1={sy(chance[0][1])}
              x2={sx(chance[1][0])}
              y2={sy(chance[1][1])}
            />
          )}
          {series.map((s, index) => (
            <g key={s.key} data-series={s.name} style={{ color: s.colour }}>
              {connect && s.points.length > 1 && (
                <path className="chart-line" d={linePath(s.points.map((p) => [sx(p.x), sy(p.y)]))} stroke={s.colour} />
              )}
              {s.points.map((p) =>
                p.yLow !== undefined && p.yHigh !== undefined ? (
                  <line
                    key={`w${p.row.experiment_id}`}
                    className="chart-whisker"
                    aria-hidden
                    x1={sx(p.x)}
                    x2={sx(p.x)}
                    y1={sy(p.yLow)}
                    y2={sy(p.yHigh)}
                    stroke={s.colour}
                  />
                ) : null,
              )}
              {s.points.map((p) => (
                <circle
                  key={p.row.experiment_id}
                  // Every other series is drawn as rings around the points, so that series that
                  // coincide (the same algorithm in two implementations) stay visible and hoverable.
                  className={`chart-point ${index % 2 ? 'ring' : ''}`}
                  cx={sx(p.x)}
                  cy={sy(p.y)}
                  r={index % 2 ? 8 : 4.5}
                  fill={index % 2 ? 'none' : s.colour}
                  stroke={index % 2 ? s.colour : undefined}
                  role="button"
                  tabIndex={0}
                  aria-label={describe(p).join('. ')}
                  data-experiment-id={p.row.experiment_id}
                  data-x={p.x}
                  data-y={p.y}
                  onMouseEnter={() => setHover({ point: p, colour: s.colour })}
                  onMouseLeave={() => setHover(null)}
                  onFocus={() => setHover({ point: p, colour: s.colour })}
                  onBlur={() => setHover(null)}
                  onClick={() => onOpen(p)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      onOpen(p);
                    }
                  }}
                />
              ))}
            </g>
          ))}
        </svg>
        {hover && (
          <div
            className="chart-tooltip"
            role="tooltip"
            style={tooltipPlace(sx(hover.point.x) / W, sy(hover.point.y) / H, hover.colour)}
          >
            {describe(hover.point).map((line, i) => (i === 0 ? <strong key={i}>{line}</strong> : <div key={i}>{line}</div>))}
            {sameSpot(hover.point).length > 0 && (
              <div className="faint">Same point: {sameSpot(hover.point).map((p) => p.row.experiment_name).join(', ')}</div>
            )}
          </div>
        )}
      </div>
      <ul className="chart-legend" aria-label={`${title}: legend`}>
        {series.map((s, index) => (
          <li key={s.key}>
            <span
              className="swatch"
              style={index % 2 ? { border: `2px solid ${s.colour}` } : { background: s.colour }}
              aria-hidden
            />
            {s.name}
          </li>
        ))}
      </ul>
    </figure>
  );
}
