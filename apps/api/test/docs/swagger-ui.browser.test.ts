/**
 * Swagger UI really renders in a browser: the page loads its local assets, fetches /openapi.json and
 * lists the operations (no workers needed). Skipped when Chromium is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASKS } from '@ca/shared';
import { startApi, type ApiHandle } from '../../../../test/helpers/api.js';
import { testEnv, testPrefix } from '../../../../test/helpers/env.js';
import { launchBrowser, type BrowserHandle } from '../../../../test/browser/browser.js';

describe('Swagger UI in Chromium', () => {
  let api: ApiHandle;
  let browser: BrowserHandle;
  beforeAll(async () => {
    api = await startApi(testEnv(testPrefix('swagger-ui')));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('shows every operation', async () => {
    const { page } = browser;
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(api.url)) external.push(r.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${api.url}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.information-container .title').textContent()).toContain('CustomerAssist API');
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    const shown = new Set(paths.map((p) => p.replace(/\u200b/g, '').trim()));
    for (const name of Object.keys(TASKS)) {
      expect(shown, name).toContain(`/${name}`);
      expect(shown, name).toContain(`/jobs/${name}`);
    }
    expect(shown).toContain('/jobs/{id}');
    // The Authorize button is there (security schemes), and the UI made no request off the API host.
    expect(await page.locator('.btn.authorize').count()).toBe(1);
    // "Try it out" is on from the start: opening the QA operation shows an editable example body and Execute.
    const qa = page.locator('#operations-nlp-questionAnswering');
    await qa.locator('.opblock-summary').click();
    await qa.locator('.execute').waitFor({ timeout: 10_000 });
    expect(await qa.locator('textarea.body-param__text').inputValue()).toContain('How many days do I have to return an item?');
    const file = await browser.screenshot('swagger-ui');
    expect(file).toMatch(/swagger-ui\.png$/);
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
  });
});
