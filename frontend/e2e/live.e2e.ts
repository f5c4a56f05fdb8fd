/**
 * The live feed in a real browser: the websocket is routed through Playwright so the test can
 * cut it. While it is down a dataset is created behind the page's back; after the reconnect
 * the hello's sequence is ahead of the last one seen, and the page refetches: the new dataset
 * appears without a reload.
 */
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiJson, BASE_URL, launch, requireServer, shot } from './harness';

describe('live updates survive a dropped websocket', () => {
  let browser: Browser;
  let page: Page;
  let connected: WebSocketRoute | null = null;
  let serverUp = true;
  let attempts = 0;
  const created: number[] = [];

  beforeAll(async () => {
    requireServer();
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    await page.routeWebSocket(/\/ws$/, (ws) => {
      attempts++;
      if (!serverUp) {
        ws.close({ code: 1011, reason: 'test: server down' });
        return;
      }
      ws.connectToServer();
      connected = ws;
    });
  });

  afterAll(async () => {
    await browser?.close();
    for (const id of created) await apiJson(`/dataset/${id}`, { method: 'DELETE' }).catch(() => {});
  });

  it('reconnects and refetches what it missed', async () => {
    await page.goto(`${BASE_URL}/`);
    await page.locator('[data-live=live]').waitFor();
    await page.getByTestId('dataset-list').waitFor();
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    // An event while connected arrives live.
    const source = (await apiJson<{ load_query: string }[]>('/datasets'))[0]?.load_query ?? 'SELECT 1 AS one';
    const first = await apiJson<{ id: number; name: string }>('/datasets', {
      method: 'POST',
      body: JSON.stringify({ name: `live-a-${Date.now()}`, load_query: source }),
    });
    created.push(first.id);
    await page.locator(`[data-dataset-id="${first.id}"]`).waitFor({ timeout: 10_000 });

    // Cut the connection and keep the "server" away; the page notices.
    serverUp = false;
    await connected!.close({ code: 1001, reason: 'test: drop' });
    await page.locator('[data-live=reconnecting]').waitFor();
    const missed = await apiJson<{ id: number; name: string }>('/datasets', {
      method: 'POST',
      body: JSON.stringify({ name: `live-b-${Date.now()}`, load_query: source }),
    });
    created.push(missed.id);
    await page.waitForTimeout(1500);
    expect(await page.locator(`[data-dataset-id="${missed.id}"]`).count()).toBe(0);
    await shot(page, '30-live-reconnecting');

    // Back up: the reconnect's hello is ahead of the last sequence seen → refetch.
    const before = attempts;
    serverUp = true;
    await page.locator('[data-live=live]').waitFor({ timeout: 20_000 });
    expect(attempts).toBeGreaterThan(before);
    await page.locator(`[data-dataset-id="${missed.id}"]`).waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await shot(page, '31-live-resynced');
  });
});
