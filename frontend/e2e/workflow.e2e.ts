/**
 * The main path through the UI against a running `causeway up`: upload a CSV and its ground
 * truth, create an experiment with the generated parameter form, run it, watch the job change
 * state over the websocket without reloading the page, then open the learnt graph, annotate an
 * edge and compare it with the ground truth. Screenshots of each screen go to test-results/.
 *
 * By default the experiment uses Causeway's native PC (`causeway · pc`, run on the server's
 * machine by the `causeway-pc` binary), which learns the alarm network from these 2,000 rows:
 * the job reaches `done` and the comparison shows the four true edges as true positives.
 * E2E_ALGORITHM, E2E_PARAMS and E2E_EXPECT_STATUS pick another algorithm; with
 * E2E_EXPECT_STATUS=error (e.g. `pcalg · pc`, which runs only as an image) the test checks the
 * job's readable failure instead and skips the graph.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUND_TRUTH, groundTruthGml, sampleAlarm, toCsv } from './alarm';
import { apiJson, BASE_URL, launch, requireServer, RESULTS_DIR, shot, watchErrors } from './harness';

const RUN = {
  /** the algorithm as the experiment form lists it: "package · function" */
  algorithm: process.env.E2E_ALGORITHM ?? 'causeway · pc',
  /** form values of its parameters (ids param-<name>) */
  params: JSON.parse(process.env.E2E_PARAMS ?? '{"alpha": "0.01", "independence_test": "disCI"}') as Record<string, string>,
  /** the status the job must reach */
  expectStatus: process.env.E2E_EXPECT_STATUS ?? 'done',
  rows: 2000,
  seed: 20240611,
};

interface Frame {
  entity?: string;
  id?: number;
  what?: string;
  data?: { status?: string };
}

describe('upload → experiment → run → live job', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const frames: Frame[] = [];
  let datasetId: number | null = null;
  let resultId: number | null = null;

  beforeAll(async () => {
    requireServer();
    browser = await launch();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', acceptDownloads: true });
    // Record every status a job row shows, in order, to see the change happen in place.
    await context.addInitScript(() => {
      const w = window as unknown as { __statusLog: string[] };
      w.__statusLog = [];
      new MutationObserver(() => {
        for (const row of document.querySelectorAll<HTMLElement>('tr[data-job-id]')) {
          const entry = `${row.dataset.jobId}:${row.dataset.status}`;
          if (!w.__statusLog.includes(entry)) w.__statusLog.push(entry);
        }
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
    });
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
  });

  afterAll(async () => {
    await browser?.close();
    if (datasetId !== null && !process.env.E2E_KEEP) {
      await apiJson(`/dataset/${datasetId}`, { method: 'DELETE' }).catch(() => {});
    }
  });

  it('uploads a generated CSV as a dataset', async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const csvPath = join(RESULTS_DIR, 'alarm.csv');
    writeFileSync(csvPath, toCsv(sampleAlarm(RUN.rows, RUN.seed)));

    await page.goto(`${BASE_URL}/`);
    await page.getByTestId('dataset-list').or(page.getByText('No datasets yet')).waitFor();
    await shot(page, '01-datasets');

    await page.getByRole('button', { name: 'Upload CSV' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#ds-file').setInputFiles(csvPath);
    await dialog.locator('#ds-name').fill(`alarm-e2e-${Date.now()}`);
    await dialog.locator('#ds-description').fill(`${RUN.rows} samples of the alarm network, seed ${RUN.seed}`);
    await shot(page, '02-upload-dialog');
    await dialog.getByRole('button', { name: 'Create dataset' }).click();

    await page.waitForURL(/\/datasets\/\d+$/);
    datasetId = Number(page.url().split('/').pop());
    await expect.poll(() => page.locator('.fact', { hasText: 'Observations' }).textContent()).toContain('2,000');
    await expect.poll(() => page.locator('.fact', { hasText: 'Variables' }).textContent()).toContain('5');
    await page.getByText('No experiments on this dataset').waitFor();
    await shot(page, '03-dataset');
  });

  it('uploads its ground truth as GML', async () => {
    const gmlPath = join(RESULTS_DIR, 'alarm.gml');
    writeFileSync(gmlPath, groundTruthGml());
    await page.getByRole('button', { name: 'Upload ground truth' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#gt-file').setInputFiles(gmlPath);
    await dialog.getByRole('button', { name: 'Upload' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('h1 .badge', { hasText: 'ground truth' }).waitFor();
    await expect.poll(() => page.locator('.fact', { hasText: 'Ground truth' }).textContent()).toContain('yes');
  });

  it('creates an experiment from the generated parameter form, with inline validation', async () => {
    await page.getByRole('button', { name: 'New experiment' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#exp-name').fill('PC on alarm');
    await dialog.locator('#exp-algorithm').selectOption({ label: RUN.algorithm });

    // A value out of bounds is flagged in place, with the API's own wording.
    const first = Object.keys(RUN.params)[0];
    if (first === 'alpha') {
      await dialog.locator('#param-alpha').fill('2');
      await dialog.locator('#param-alpha').blur();
      await dialog.getByText('Must be between 0.0 and 1.0.').waitFor();
      await shot(page, '04-experiment-form-invalid');
    }
    for (const [name, value] of Object.entries(RUN.params)) {
      const input = dialog.locator(`#param-${name}`);
      if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption(value);
      else await input.fill(value);
    }
    await expect.poll(() => dialog.getByText('Must be between 0.0 and 1.0.').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Create experiment' }).click();
    await page.waitForURL(/\/experiments\/\d+$/);
    await page.getByText('Not run yet').waitFor();
    await shot(page, '05-experiment');
  });

  it('runs it and shows the job changing state without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    await page.getByRole('button', { name: 'Run', exact: true }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#run-runs').fill('1');
    await shot(page, '06-run-dialog');
    await dialog.getByRole('button', { name: 'Start' }).click();

    const row = page.locator('[data-testid=job-table] tr[data-job-id]').first();
    await row.waitFor({ timeout: 15_000 });
    const jobId = Number(await row.getAttribute('data-job-id'));
    await page.locator(`tr[data-job-id="${jobId}"][data-status="${RUN.expectStatus}"]`).waitFor({ timeout: 60_000 });

    if (RUN.expectStatus === 'error') {
      const message = (await row.getByTestId('job-error').textContent()) ?? '';
      expect(message.length).toBeGreaterThan(20); // a sentence, not a bare code
      console.log(`job #${jobId} failed with: ${message}`);
    } else if (RUN.expectStatus === 'done') {
      const explore = row.getByRole('link', { name: 'Explore' });
      await explore.waitFor();
      resultId = Number((await explore.getAttribute('href'))?.split('/').pop());
    }

    // The page was not reloaded, and the changes came in over the websocket.
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await expect.poll(() => frames.filter((f) => f.entity === 'job' && f.id === jobId).map((f) => f.what)).toEqual(
      expect.arrayContaining(['created', RUN.expectStatus === 'done' ? 'succeeded' : 'failed']),
    );
    const seen = await page.evaluate(() => (window as unknown as { __statusLog: string[] }).__statusLog);
    const mine = seen.filter((s) => s.startsWith(`${jobId}:`));
    console.log(`job #${jobId}: websocket events ${frames.filter((f) => f.id === jobId && f.entity === 'job').map((f) => f.what).join(' → ')}; statuses shown ${mine.join(' → ')}`);
    expect(mine.at(-1)).toBe(`${jobId}:${RUN.expectStatus}`);
    await page.locator('.toast').first().waitFor().catch(() => {});
    await shot(page, '07-experiment-jobs');

    // The log viewer shows what the job wrote.
    await row.getByRole('link', { name: 'Log' }).click();
    await page.waitForURL(new RegExp(`/jobs/${jobId}`));
    await expect.poll(async () => (await page.getByTestId('job-log').textContent())?.trim().length ?? 0).toBeGreaterThan(0);
    await shot(page, '08-job-log');
  });

  it('opens the learnt graph and annotates an edge', async ({ skip }) => {
    if (resultId === null) skip();
    await page.goto(`${BASE_URL}/results/${resultId}`);
    await page.locator('[data-testid=graph-canvas] canvas').first().waitFor();
    await page.getByText(`Result #${resultId}`).first().waitFor();
    const panel = page.getByTestId('selection-panel');
    await page.locator('#node-search').fill('Alarm');
    await page.locator('#node-search').press('Enter');
    await panel.getByRole('heading', { name: 'Alarm' }).waitFor();
    await panel.getByRole('button', { name: 'Edge Burglary → Alarm' }).click();
    await panel.getByRole('button', { name: 'Approve' }).click();
    await panel.locator('.badge', { hasText: 'approved' }).waitFor();
    const stored = await apiJson<{ annotation: string }[]>(`/edgeinformation/${resultId}`);
    expect(stored.map((s) => s.annotation)).toEqual(['approved']);
    await page.waitForTimeout(300);
    await shot(page, '08a-result-annotated');
  });

  it('compares it with the ground truth: the four true edges are true positives', async ({ skip }) => {
    if (resultId === null) skip();
    await page.getByRole('link', { name: 'Compare…' }).click();
    await page.waitForURL(new RegExp(`/results/${resultId}/compare`));
    const truePositives = page.locator('details', { has: page.locator('summary', { hasText: 'True positives' }) });
    await truePositives.locator('summary').waitFor();
    await truePositives.locator('summary').click();
    const shown = async () => (await truePositives.locator('li').allTextContents()).map((t) => t.trim()).sort();
    await expect.poll(shown).toEqual(GROUND_TRUTH.map(([a, b]) => `${a} → ${b}`).sort());
    await expect.poll(() => truePositives.locator('summary').textContent()).toBe('True positives (4)');
    const table = page.getByTestId('metric-table');
    await expect.poll(() => table.locator('tr', { hasText: 'True positives' }).locator('td').nth(1).textContent()).toBe('4');
    const ged = await table.locator('tr', { hasText: 'Graph edit distance' }).locator('td').nth(1).textContent();
    console.log(`result #${resultId} vs the ground truth: graph edit distance ${ged}`);
    await page.locator('[data-testid=graph-canvas] canvas').first().waitFor();
    await page.waitForTimeout(300);
    await shot(page, '08b-result-vs-ground-truth');
  });

  it('shows the job list, the generator and the phone layout', async () => {
    await page.getByRole('link', { name: 'Jobs', exact: true }).first().click();
    await page.getByTestId('job-table').waitFor();
    await shot(page, '09-jobs');

    await page.getByRole('link', { name: 'Generate' }).click();
    await page.getByRole('heading', { name: 'Generation jobs', exact: true }).waitFor();
    await shot(page, '10-generate');

    await page.getByRole('link', { name: 'Experiments' }).click();
    await page.getByTestId('experiment-table').waitFor();
    await shot(page, '11-experiments');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Datasets' }).click();
    await page.getByTestId('dataset-list').waitFor();
    await shot(page, '12-datasets-phone');
    await page.locator(`[data-dataset-id="${datasetId}"] a`).first().click();
    await page.getByTestId('experiment-table').waitFor();
    await shot(page, '13-dataset-phone', true);
    await page.setViewportSize({ width: 1280, height: 800 });

    expect(errors.filter((e) => !e.includes('favicon'))).toEqual([]);
  });
});
