/**
 * Dataset generation with the built-in generator: the form is filled, the generation job is
 * followed live until done, and the new dataset (with its ground truth) opens.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiJson, BASE_URL, launch, requireServer, shot, watchErrors } from './harness';

describe('dataset generation', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let datasetId: number | null = null;

  beforeAll(async () => {
    requireServer();
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    errors = watchErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    if (datasetId !== null && !process.env.E2E_KEEP) await apiJson(`/dataset/${datasetId}`, { method: 'DELETE' }).catch(() => {});
  });

  it('generates a discrete dataset and opens it', async () => {
    await page.goto(`${BASE_URL}/generate`);
    const name = `gen${Date.now().toString(36)}`;
    await page.locator('#gen-name').fill(name);
    await page.getByRole('radio', { name: 'Discrete' }).click();
    await page.locator('#gen-num_nodes').fill('6');
    await page.getByRole('radio', { name: 'Expected degree' }).click();
    await page.locator('#gen-expected_degree').fill('2');
    await page.locator('#gen-num_samples').fill('500');
    await page.locator('#gen-seed').fill('7');
    await page.locator('#gen-cardinality').fill('3');
    await shot(page, '16-generate-form');
    await page.getByRole('button', { name: 'Generate' }).click();

    const row = page.locator('[data-testid=generation-jobs] tr', { hasText: name });
    await row.waitFor({ timeout: 15_000 });
    await row.and(page.locator('[data-status=done], [data-status=error]')).waitFor({ timeout: 60_000 });
    if ((await row.getAttribute('data-status')) !== 'done') {
      throw new Error(`the generation job failed: ${await row.textContent()}`);
    }
    await shot(page, '17-generate-done');

    await row.getByRole('link', { name }).click();
    await page.waitForURL(/\/datasets\/\d+$/);
    datasetId = Number(page.url().split('/').pop());
    await expect.poll(() => page.locator('.fact', { hasText: 'Variables' }).textContent()).toContain('6');
    await expect.poll(() => page.locator('.fact', { hasText: 'Observations' }).textContent()).toContain('500');
    await page.locator('h1 .badge', { hasText: 'ground truth' }).waitFor();
    await shot(page, '18-generated-dataset');
    expect(errors).toEqual([]);
  });
});
