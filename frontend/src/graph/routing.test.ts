import { describe, expect, it } from 'vitest';
import { crosses, detour } from './routing';

const box = (cx: number, cy: number, w = 100, h = 30) => ({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 });

describe('edge routing', () => {
  it('detects segments through a box', () => {
    expect(crosses({ x: 0, y: 0 }, { x: 0, y: 200 }, box(0, 100))).toBe(true);
    expect(crosses({ x: 0, y: 0 }, { x: 0, y: 200 }, box(200, 100))).toBe(false);
    expect(crosses({ x: 0, y: 0 }, { x: 0, y: 50 }, box(0, 100))).toBe(false);
  });

  it('leaves edges with a free path straight', () => {
    expect(detour({ x: 0, y: 0 }, { x: 0, y: 200 }, [box(300, 100)])).toBeNull();
  });

  it('bends an edge away from the node it would cross, past its far side', () => {
    // Vertical edge, node centred 20 px to the right of it: bend to the left.
    const d = detour({ x: 0, y: 0 }, { x: 0, y: 200 }, [box(20, 100)])!;
    expect(d.weight).toBeCloseTo(0.5);
    // Normal of a downward edge points to -x; the node is on the +x side → bend towards -x (positive).
    expect(d.distance).toBeGreaterThan(0);
    // Half-way deviation must clear the node's left edge (x = -30) with margin.
    expect(d.distance / 2).toBeCloseTo(30 + 14);
  });
});
