/**
 * Token mode (CAUSEWAY_AUTH=token): the login screen, a viewer who can look at everything and
 * create nothing, the live feed through a websocket ticket, a download with the bearer, log out;
 * and, with an admin token, the API tokens page.
 *
 * Runs only against a server in token mode, with tokens made by `causeway token create`:
 *   CAUSEWAY_E2E_URL   the server (serving this build)
 *   E2E_VIEWER_TOKEN   a viewer's secret (`causeway token create --name e2e-viewer --role viewer`)
 *   E2E_VIEWER_NAME    optional: the name the header must show for it (e.g. e2e-viewer)
 *   E2E_ADMIN_TOKEN    optional: an admin's secret, for the API tokens page
 * Without E2E_VIEWER_TOKEN the file is skipped (the server of the other e2e tests has auth off).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_URL, launch, requireServer, shot, watchErrors } from './harness';

const VIEWER = process.env.E2E_VIEWER_TOKEN ?? '';
const VIEWER_NAME = process.env.E2E_VIEWER_NAME ?? '';
const ADMIN = process.env.E2E_ADMIN_TOKEN ?? '';

async function logIn(page: Page, token: string) {
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('user-menu').waitFor();
}

/** A 401/console error from the deliberately wrong token is expected; anything else is not. */
const unexpected = (errors: string[]) => errors.filter((e) => !/401|Unauthorized/i.test(e));

describe.skipIf(!VIEWER)('token mode', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    requireServer();
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', acceptDownloads: true });
    page = await context.newPage();
    errors = watchErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the server refuses requests without a token', async () => {
    const res = await fetch(`${BASE_URL}/api/datasets`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message?: unknown }).message).toEqual(expect.any(String));
  });

  it('asks for a token, refuses a wrong one and lets the viewer in', async () => {
    await page.goto(`${BASE_URL}/`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByText('How do I get a token?').click();
    await page.getByText(/causeway token create --name/).waitFor();
    await shot(page, '40-auth-login');

    await page.getByLabel('API token').fill('cw_not_a_real_token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText(/This token was not accepted/).waitFor();

    await logIn(page, VIEWER);
    expect(await page.getByTestId('user-role').textContent()).toBe('viewer');
    if (VIEWER_NAME) expect(await page.getByTestId('user-menu').textContent()).toContain(VIEWER_NAME);
    // the live feed got its ticket and is connected
    await page.locator('[data-live=live]').waitFor({ timeout: 15_000 });
    await shot(page, '41-auth-viewer-datasets');
  });

  it('shows everything but lets a viewer create nothing', async () => {
    const upload = page.getByRole('button', { name: 'Upload CSV' });
    expect(await upload.isDisabled()).toBe(true);
    expect(await upload.getAttribute('title')).toBe('Needs the editor role; you are a viewer.');
    expect(await page.getByRole('button', { name: 'New from query' }).isDisabled()).toBe(true);

    const cards = page.getByTestId('dataset-card');
    if ((await cards.count()) > 0) {
      const card = cards.first();
      expect(await card.getByRole('button', { name: 'Delete' }).isDisabled()).toBe(true);
      expect(await card.getByRole('button', { name: 'Ground truth' }).isDisabled()).toBe(true);
      // a download carries the bearer (fetched, then saved), so it works for a viewer
      const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: 'CSV' }).click()]);
      expect(download.suggestedFilename()).toMatch(/\.csv$/);
    }

    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Experiments' }).click();
    await page.getByRole('heading', { name: 'Experiments' }).waitFor();
    expect(await page.getByRole('button', { name: 'New experiment' }).first().isDisabled()).toBe(true);
    const runs = page.locator('[data-testid=experiment-table] button', { hasText: 'Run' });
    for (let i = 0; i < (await runs.count()); i++) expect(await runs.nth(i).isDisabled()).toBe(true);

    await nav.getByRole('link', { name: 'Generate' }).click();
    expect(await page.getByRole('button', { name: 'Generate' }).isDisabled()).toBe(true);
    // no API tokens page for a viewer
    expect(await nav.getByRole('link', { name: 'API tokens' }).count()).toBe(0);
    await shot(page, '42-auth-viewer-generate');
  });

  it('stays logged in across a reload, and logs out', async () => {
    await page.reload();
    await page.getByTestId('user-menu').waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await shot(page, '43-auth-logged-out');
    expect(unexpected(errors)).toEqual([]);
  });

  it.skipIf(!ADMIN)('an admin creates a token, sees its secret once and revokes it', async () => {
    await logIn(page, ADMIN);
    expect(await page.getByTestId('user-role').textContent()).toBe('admin');
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByTestId('token-table').waitFor();
    const name = `e2e${Date.now().toString(36)}`;
    await page.locator('#token-name').fill(name);
    await page.locator('#token-role').selectOption('viewer');
    await page.locator('#token-days').fill('1');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByLabel('New token secret').inputValue();
    expect(secret).toMatch(/^cw_/);
    await shot(page, '44-auth-token-created');

    // the new token works against the API
    const me = await fetch(`${BASE_URL}/api/auth/me`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(((await me.json()) as { role: string }).role).toBe('viewer');

    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.locator('[data-testid=token-table] tr', { hasText: name });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await row.and(page.locator('[data-state=revoked]')).waitFor();
    const after = await fetch(`${BASE_URL}/api/auth/me`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(after.status).toBe(401);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(unexpected(errors)).toEqual([]);
  });
});
