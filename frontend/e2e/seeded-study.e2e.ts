/**
 * The seeded "Gaussian alpha sweep" (the study the README points to) against the real server:
 * started from its page and followed until finished; then its ROC chart must show the expected
 * curve shape, each algorithm's points going up and to the right along alpha (read from the
 * points' data attributes and drawn positions) over most of the zoomed plot's width, and the
 * native PC's points on causal-learn's (identical skeleton metrics at every alpha).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiJson, BASE_URL, launch, requireServer, shot, watchErrors } from './harness';

const STUDY = 'Gaussian alpha sweep';
const ALGORITHMS = ['causeway/pc', 'causal-learn/pc'];

interface StudyView {
  id: number;
  name: string;
  state: string;
  experiment_count: number;
  experiments: { id: number; algorithm_name: string; parameters: Record<string, unknown> }[];
}

interface Point {
  alpha: number;
  fpr: number;
  tpr: number;
  cx: number;
  cy: number;
}

/** Non-decreasing with at least one strict rise. */
function rises(values: number[]): boolean {
  return values.every((v, i) => i === 0 || values[i - 1] <= v) && values.some((v, i) => i > 0 && values[i - 1] < v);
}

describe('the seeded Gaussian study: started from its page, the expected ROC shape', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let study: StudyView;

  beforeAll(async () => {
    requireServer();
    const studies = await apiJson<{ id: number; name: string }[]>('/studies');
    const seeded = studies.find((s) => s.name === STUDY);
    if (!seeded) throw new Error(`the seeded "${STUDY}" is missing`);
    study = await apiJson<StudyView>(`/study/${seeded.id}`);
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    errors = watchErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('is listed first and starts from its page, its progress bar filling until finished', async () => {
    await page.goto(`${BASE_URL}/studies`);
    const first = page.getByTestId('study-table').locator('tbody tr').first();
    await first.waitFor();
    expect(await first.textContent()).toContain(STUDY);
    await page.goto(`${BASE_URL}/studies/${study.id}`);
    await page.getByRole('heading', { name: STUDY }).waitFor();
    // A server that ran it before (E2E_KEEP) offers "Start again": either starts a new round.
    await page.getByRole('button', { name: /^Start( again)?$/ }).click();
    // Every job ends (done or error); none may fail (causal-learn's needs scripts/python-env).
    const total = study.experiment_count;
    await page.waitForFunction(
      (n) => {
        const bar = document.querySelector('[role=progressbar]');
        return Number(bar?.getAttribute('data-done')) + Number(bar?.getAttribute('data-error')) === n;
      },
      total,
      { timeout: 300_000 },
    );
    expect(await page.getByRole('progressbar').getAttribute('data-error')).toBe('0');
    expect(await page.getByRole('progressbar').getAttribute('data-done')).toBe(String(total));
    await page.locator('[data-study-state=finished]').waitFor({ timeout: 30_000 });
  }, 330_000);

  it('draws each algorithm going up and to the right along alpha, the two PCs on the same points', async () => {
    const alphaOf = new Map(study.experiments.map((e) => [e.id, Number(e.parameters.alpha)]));
    const alphas = [...new Set(study.experiments.map((e) => Number(e.parameters.alpha)))].sort((a, b) => a - b);
    const roc = page.getByTestId('chart-roc');
    await roc.locator('circle.chart-point').nth(study.experiment_count - 1).waitFor({ timeout: 30_000 });
    const bySeries = new Map<string, Point[]>();
    for (const name of ALGORITHMS) {
      const circles = roc.locator(`g[data-series="${name}"] circle.chart-point`);
      const points = await circles.evaluateAll((els) =>
        els.map((el) => ({
          id: Number(el.getAttribute('data-experiment-id')),
          fpr: Number(el.getAttribute('data-x')),
          tpr: Number(el.getAttribute('data-y')),
          cx: Number(el.getAttribute('cx')),
          cy: Number(el.getAttribute('cy')),
        })),
      );
      const withAlpha = points.map(({ id, ...p }) => ({ alpha: alphaOf.get(id)!, ...p })).sort((a, b) => a.alpha - b.alpha);
      expect(withAlpha.map((p) => p.alpha), name).toEqual(alphas);
      bySeries.set(name, withAlpha);
    }
    for (const [name, points] of bySeries) {
      // The values: TPR and FPR rise with alpha (ties allowed, at least one rise each) …
      expect(rises(points.map((p) => p.tpr)), `${name} TPR ${points.map((p) => p.tpr)}`).toBe(true);
      expect(rises(points.map((p) => p.fpr)), `${name} FPR ${points.map((p) => p.fpr)}`).toBe(true);
      // … and so do the drawn points: right (cx grows) and up (cy, downwards in SVG, shrinks).
      expect(rises(points.map((p) => p.cx)), `${name} cx`).toBe(true);
      expect(rises(points.map((p) => -p.cy)), `${name} cy`).toBe(true);
    }
    // FPR spans a few hundredths: the axis zooms to it (and says so), and the points spread over
    // most of the plot's width instead of crowding against its left edge.
    expect(await roc.locator('.chart-label').first().textContent()).toMatch(/^FPR \(zoomed: 0–0\.\d+\)$/);
    const cxs = [...bySeries.values()].flatMap((points) => points.map((p) => p.cx));
    expect(Math.max(...cxs) - Math.min(...cxs), `cx ${cxs}`).toBeGreaterThan(200);
    const [native, learn] = ALGORITHMS.map((name) => bySeries.get(name)!);
    expect(native.map(({ fpr, tpr }) => [fpr, tpr])).toEqual(learn.map(({ fpr, tpr }) => [fpr, tpr]));
    // The line connects each series along alpha.
    expect(await roc.locator('path.chart-line').count()).toBe(ALGORITHMS.length);
    expect(await page.getByTestId('benchmark-table').locator('tbody tr').count()).toBe(study.experiment_count);
    await page.getByTestId('chart-roc').scrollIntoViewIfNeeded();
    await shot(page, 'study-gaussian-roc', true);
    expect(errors).toEqual([]);
  });
});
