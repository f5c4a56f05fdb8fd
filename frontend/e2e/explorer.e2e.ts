/**
 * From a run to the graph explorer and the comparison, all against the real server: an
 * experiment with the native PC on the seeded Earthquake dataset is run from the UI (its job
 * followed live until done), its result explored (search, distributions, focus, annotation,
 * export) and compared with the seeded ground truth and with another run (the PC limited to
 * marginal tests, which leaves extra edges).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiJson, apiText, BASE_URL, launch, requireServer, shot, watchErrors } from './harness';
import { createExperiment, nativePc, runToResult } from './runs';

interface Frame {
  entity?: string;
  id?: number;
  what?: string;
}

describe('run → explore → compare', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const frames: Frame[] = [];
  const experiments: number[] = [];
  let strict = 0;
  let otherResult = 0;
  let resultId = 0;

  beforeAll(async () => {
    requireServer();
    const datasets = await apiJson<{ id: number; name: string }[]>('/datasets');
    const dataset = datasets.find((d) => d.name === 'Earthquake dataset');
    if (!dataset) throw new Error('the seeded "Earthquake dataset" is missing');
    const algorithm = await nativePc();
    const marginalOnly = await createExperiment(dataset.id, algorithm, 'PC, marginal tests only', {
      alpha: 0.01,
      independence_test: 'disCI',
      subset_size: 0,
    });
    strict = await createExperiment(dataset.id, algorithm, 'PC, G² at 0.01', { alpha: 0.01, independence_test: 'disCI' });
    experiments.push(marginalOnly, strict);
    otherResult = await runToResult(marginalOnly);

    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', acceptDownloads: true });
    page = await context.newPage();
    errors = watchErrors(page);
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        try {
          frames.push(JSON.parse(String(f.payload)));
        } catch {
          /* not JSON */
        }
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const id of experiments) await apiJson(`/experiment/${id}`, { method: 'DELETE' }).catch(() => {});
  });

  it('runs an experiment and follows its job until done', async () => {
    await page.addInitScript(() => {
      const w = window as unknown as { __statusLog: string[] };
      w.__statusLog = [];
      new MutationObserver(() => {
        for (const row of document.querySelectorAll<HTMLElement>('tr[data-job-id]')) {
          const entry = `${row.dataset.status}`;
          if (w.__statusLog.at(-1) !== entry) w.__statusLog.push(entry);
        }
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
    });
    await page.goto(`${BASE_URL}/experiments/${strict}`);
    await page.getByText('Not run yet').waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).first().click();
    await page.getByRole('dialog').getByRole('button', { name: 'Start' }).click();
    const row = page.locator('tr[data-job-id][data-status=done]');
    await row.waitFor({ timeout: 60_000 });
    const jobId = Number(await row.getAttribute('data-job-id'));
    const statuses = await page.evaluate(() => (window as unknown as { __statusLog: string[] }).__statusLog);
    // The native PC takes a fraction of a second, so the row may skip `running`; the websocket
    // carries every step.
    await expect.poll(() => frames.filter((f) => f.entity === 'job' && f.id === jobId).map((f) => f.what)).toEqual(
      expect.arrayContaining(['created', 'started', 'succeeded']),
    );
    console.log(
      `job #${jobId}: websocket events ${frames.filter((f) => f.entity === 'job' && f.id === jobId).map((f) => f.what).join(' → ')}; ` +
        `statuses shown without reload ${statuses.join(' → ')}`,
    );
    expect(statuses.at(-1)).toBe('done');
    await page.locator('.stat').first().waitFor(); // execution-time statistics appear
    await shot(page, '15-job-done');
    await row.getByRole('link', { name: 'Explore' }).click();
    await page.waitForURL(/\/results\/\d+$/);
    resultId = Number(page.url().split('/').pop());
  });

  it('lays the result out and finds a node', async () => {
    await page.locator('[data-testid=graph-canvas] canvas').first().waitFor();
    await page.getByText(`Result #${resultId}`).first().waitFor();
    // The summary says what the executor reported about the run.
    await page.getByText('causeway-pc', { exact: true }).waitFor();
    await page.getByText('pc-stable', { exact: true }).waitFor();
    await page.waitForTimeout(300);
    await shot(page, '20-explorer');

    await page.locator('#node-search').fill('alar');
    await page.locator('#node-search').press('Enter');
    const panel = page.getByTestId('selection-panel');
    await panel.getByRole('heading', { name: 'Alarm' }).waitFor();
    await panel.locator('.dist-plot .bar').first().waitFor();
    // The PC finds the true network: Burglary → Alarm ← Earthquake, Alarm → JohnCalls, MaryCalls.
    await panel.getByText('Causes (parents) (2)').waitFor();
    await panel.getByText('Effects (children) (2)').waitFor();
    await shot(page, '21-explorer-node');
  });

  it('plots a conditional distribution', async () => {
    const panel = page.getByTestId('selection-panel');
    await panel.getByLabel('Add a condition').selectOption({ label: 'Burglary' });
    await panel.getByLabel('1', { exact: true }).check();
    // Given a burglary the alarm mostly rings (P = 0.94): the overlay's bar for 1 is the tall one.
    const cond = panel.locator('.dist-plot .bar.cond');
    await cond.first().waitFor();
    expect(await cond.count()).toBe(2);
    const heights = await cond.evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('height'))));
    expect(heights[1]).toBeGreaterThan(heights[0]);
    await shot(page, '22-explorer-conditional');
  });

  it('focuses the neighbourhood and annotates an edge', async () => {
    const panel = page.getByTestId('selection-panel');
    await panel.getByRole('button', { name: 'Focus neighbourhood' }).click();
    await page.getByText(/Showing Alarm and their neighbours/).waitFor();
    await panel.getByRole('button', { name: 'Edge Alarm → JohnCalls' }).click();
    await panel.getByRole('button', { name: 'Approve' }).click();
    await panel.locator('.badge', { hasText: 'approved' }).waitFor();
    const stored = await apiJson<{ annotation: string }[]>(`/edgeinformation/${resultId}`);
    expect(stored.map((s) => s.annotation)).toEqual(['approved']);
    await page.getByRole('button', { name: 'Weights' }).click();
    await page.locator('summary', { hasText: 'Export' }).click();
    const links = page.locator('.menu-items a');
    expect(await links.count()).toBe(4);
    // The GML export carries the annotation as the edge's label.
    const gmlHref = await page.locator('.menu-items a[href$="format=GML"]').getAttribute('href');
    const gml = await apiText(gmlHref!.replace(/^\/api/, ''));
    expect(gml).toContain('approved');
    await shot(page, '23-explorer-edge');
    await page.locator('summary', { hasText: 'Export' }).click();
  });

  it('compares with the ground truth and another result', async () => {
    await page.getByRole('link', { name: 'Compare…' }).click();
    await page.waitForURL(/\/compare/);
    await page.locator('#other-result').selectOption(String(otherResult));
    const table = page.getByTestId('metric-table');
    const ged = table.locator('tr', { hasText: 'Graph edit distance' });
    // vs the ground truth: the four true edges and nothing else. vs the marginal-tests-only run:
    // its 8 extra arcs (B→J, B→M, E→J, E→M, J→A, M→A, J→M, M→J) are the difference.
    await expect.poll(() => ged.locator('td').nth(1).textContent()).toBe('0');
    await expect.poll(() => ged.locator('td').nth(2).textContent()).toBe('8');
    await page.locator('[data-testid=graph-canvas] canvas').first().waitFor();
    await page.waitForTimeout(300);
    await shot(page, '24-compare');
  });

  it('stays usable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${BASE_URL}/results/${resultId}`);
    await page.locator('[data-testid=graph-canvas] canvas').first().waitFor();
    await page.waitForTimeout(300);
    await shot(page, '25-explorer-phone', true);
    expect(errors).toEqual([]);
  });
});
