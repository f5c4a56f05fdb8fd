/**
 * A study from the UI against the real server: on the seeded Earthquake dataset, the native PC
 * over a few alphas, created through the dialog (grid editor and preview), started from the
 * study page and followed live until the progress bar is done; then the ROC chart must have one
 * point per experiment, ordered along alpha, a tooltip naming it, and a click through to the
 * result. The seeded study (if the seed made one) is opened too.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiJson, BASE_URL, launch, requireServer, shot, watchErrors } from './harness';

const ALPHAS = [0.001, 0.01, 0.05, 0.2];

interface StudyView {
  id: number;
  name: string;
  state: string;
  experiments: { id: number; parameters: Record<string, unknown> }[];
}

describe('study: sweep → benchmark → result', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let studyId = 0;
  const name = `e2e alpha sweep ${Date.now()}`;

  beforeAll(async () => {
    requireServer();
    const datasets = await apiJson<{ id: number; name: string }[]>('/datasets');
    if (!datasets.some((d) => d.name === 'Earthquake dataset')) throw new Error('the seeded "Earthquake dataset" is missing');
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', acceptDownloads: true });
    page = await context.newPage();
    errors = watchErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (studyId) await apiJson(`/study/${studyId}`, { method: 'DELETE' }).catch(() => {});
  });

  it('creates the study through the dialog, with the preview counting the grid', async () => {
    await page.goto(`${BASE_URL}/studies`);
    await page.getByRole('button', { name: 'New study' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Earthquake dataset').check();
    await dialog.locator('#study-alg-0').selectOption({ label: 'causeway · pc' });
    await dialog.getByLabel('alpha: grid').selectOption('list');
    await dialog.getByLabel('alpha: values, separated by commas').fill(ALPHAS.join(', '));
    await dialog.getByLabel('independence_test: value').selectOption('disCI');
    await expect.poll(() => dialog.getByTestId('study-preview').textContent()).toBe(`${ALPHAS.length} experiments, ${ALPHAS.length} jobs`);
    expect(await dialog.getByTestId('grid-0-alpha-values').textContent()).toBe(`${ALPHAS.join(', ')} (${ALPHAS.length})`);
    await shot(page, 'study-dialog');
    await dialog.getByRole('button', { name: 'Create study' }).click();
    await page.waitForURL(/\/studies\/\d+$/);
    studyId = Number(new URL(page.url()).pathname.split('/').pop());
    const study = await apiJson<StudyView>(`/study/${studyId}`);
    expect(study.name).toBe(name);
    expect(study.experiments.map((e) => e.parameters.alpha).sort((a, b) => Number(a) - Number(b))).toEqual(ALPHAS);
    await page.getByText('No results yet').waitFor();
  });

  it('starts it and follows the progress bar live until every job is done', async () => {
    expect(studyId).toBeGreaterThan(0);
    const bar = page.getByRole('progressbar');
    expect(await bar.getAttribute('data-total')).toBe('0');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    // No reload: the websocket's study and job events refresh the page.
    await page.locator(`[role=progressbar][data-done="${ALPHAS.length}"]`).waitFor({ timeout: 120_000 });
    expect(await bar.getAttribute('data-error')).toBe('0');
    await page.locator('[data-study-state=finished]').waitFor({ timeout: 30_000 });
    await shot(page, 'study-done', true);
  });

  it('draws one ROC point per experiment, ordered along alpha, with tooltips and a click through to the result', async () => {
    const study = await apiJson<StudyView>(`/study/${studyId}`);
    const alphaOf = new Map(study.experiments.map((e) => [e.id, Number(e.parameters.alpha)]));
    const roc = page.getByTestId('chart-roc');
    await roc.locator('circle.chart-point').nth(ALPHAS.length - 1).waitFor({ timeout: 30_000 });
    const points = roc.locator('circle.chart-point');
    expect(await points.count()).toBe(ALPHAS.length);
    const ids = await points.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-experiment-id'))));
    expect(ids.map((id) => alphaOf.get(id))).toEqual(ALPHAS);
    expect(await roc.locator('path.chart-line').count()).toBe(1);
    // The other charts: one point per experiment too, run time on a log axis.
    for (const chart of ['pr', 'shd', 'time']) expect(await page.getByTestId(`chart-${chart}`).locator('circle.chart-point').count()).toBe(ALPHAS.length);
    expect(await page.getByTestId('benchmark-table').locator('tbody tr').count()).toBe(ALPHAS.length);

    // The last point is drawn on top (runs at neighbouring alphas may find the same graph, and
    // their points coincide: the tooltip names them all).
    const last = ALPHAS.length - 1;
    await points.nth(last).hover();
    const tip = roc.getByRole('tooltip');
    await tip.waitFor();
    expect(await tip.textContent()).toContain(`alpha=${ALPHAS[last]}`);
    expect(await tip.textContent()).toMatch(/TPR [\d.]+ · FPR [\d.]+/);
    await page.getByTestId('chart-roc').scrollIntoViewIfNeeded();
    await shot(page, 'study-roc', true);

    await points.nth(last).click();
    await page.waitForURL(/\/results\/\d+$/, { timeout: 30_000 });
    const resultId = Number(new URL(page.url()).pathname.split('/').pop());
    const jobs = await apiJson<{ result: { id: number } | null }[]>(`/experiment/${ids[last]}/jobs`);
    expect(jobs.map((j) => j.result?.id)).toContain(resultId);
    await page.locator('[data-testid=graph-canvas] canvas').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(300); // the layout settles
    await shot(page, 'study-result');
    expect(errors).toEqual([]);
  });

  it('opens the seeded study, if the seed made one', async () => {
    const studies = await apiJson<{ id: number; name: string }[]>('/studies');
    const seeded = studies.find((s) => s.id !== studyId);
    if (!seeded) {
      console.log('no seeded study on this server: skipped');
      return;
    }
    await page.goto(`${BASE_URL}/studies`);
    await page.getByTestId('study-table').waitFor();
    await shot(page, 'study-list');
    await page.goto(`${BASE_URL}/studies/${seeded.id}`);
    await page.getByRole('heading', { name: seeded.name }).waitFor();
    await page.getByRole('progressbar').waitFor();
    await shot(page, 'study-seeded', true);
  });
});
