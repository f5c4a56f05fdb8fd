/**
 * Edges drawn as straight lines after a layered layout may cut through nodes of the ranks they
 * skip. `detour` finds how far to bend such an edge (a bezier control point) to pass beside the
 * nodes in its way.
 */
export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Detour {
  /** signed control-point distance, perpendicular to the edge */
  distance: number;
  /** where along the edge (0–1) the control point sits */
  weight: number;
}

const MARGIN = 14;

/** Whether segment a–b crosses the box (Liang–Barsky clipping). */
export function crosses(a: Point, b: Point, box: Box): boolean {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  let t0 = 0;
  let t1 = 1;
  const checks: [number, number][] = [
    [-dx, a.x - box.x1],
    [dx, box.x2 - a.x],
    [-dy, a.y - box.y1],
    [dy, box.y2 - a.y],
  ];
  for (const [p, q] of checks) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const r = q / p;
      if (p < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
      if (t0 > t1) return false;
    }
  }
  return true;
}

/** The bend that takes edge s→t around the obstacles it crosses, or null when none is in the way. */
export function detour(s: Point, t: Point, obstacles: Box[]): Detour | null {
  const dx = t.x - s.x;
  const dy = t.y - s.y;
  const length = Math.hypot(dx, dy);
  if (length === 0) return null;
  const nx = -dy / length;
  const ny = dx / length;
  let best: Detour | null = null;
  for (const box of obstacles) {
    if (!crosses(s, t, box)) continue;
    const cx = (box.x1 + box.x2) / 2;
    const cy = (box.y1 + box.y2) / 2;
    const signed = (cx - s.x) * nx + (cy - s.y) * ny; // + : the node lies on the normal's side
    const reach = (Math.abs(nx) * (box.x2 - box.x1)) / 2 + (Math.abs(ny) * (box.y2 - box.y1)) / 2 + MARGIN;
    const side = signed > 0 ? -1 : 1; // away from the node's centre
    const needed = reach - Math.abs(signed);
    const weight = Math.min(0.9, Math.max(0.1, ((cx - s.x) * dx + (cy - s.y) * dy) / (length * length)));
    // A single control point pulls the curve only about half-way towards it.
    const distance = side * needed * 2;
    if (!best || Math.abs(distance) > Math.abs(best.distance)) best = { distance, weight };
  }
  return best;
}
