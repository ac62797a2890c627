/**
 * The whole service seen through a real browser: one worker process (all domains, tiny models) and the
 * API with the admin board switched on. In headless Chromium, Swagger UI's "Try it out" runs a real
 * question-answering request end to end, and Bull Board (behind Basic auth) shows the queues and a
 * finished job. Screenshots land in .artifacts/. Skipped when Chromium is not installed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { get, pollJob, post } from '../helpers/http.js';
import { textImage, wav } from '../helpers/media.js';
import { TASKS, type UploadMedia } from '@ca/shared';
import { receiptPdf } from '../helpers/encoders.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';
import { ARTIFACTS, launchBrowser, type BrowserHandle } from './browser.js';
import { PAGE_CSP } from '../../apps/api/src/app.js';

const ADMIN = { username: 'admin', password: randomBytes(12).toString('base64url') };
const CONTEXT =
  'Refunds are issued to the original payment method within 7 business days after the returned item reaches our warehouse. ' +
  'Gift cards cannot be refunded, but they can be exchanged for store credit.';
const QUESTION = 'How long do refunds take?';
const UI_TIMEOUT = 30_000;

describe('the service in Chromium (Swagger UI + Bull Board)', () => {
  const prefix = testPrefix('browser-service');
  let worker: WorkerHandle | undefined;
  let api: ApiHandle | undefined;
  /** No credentials at all: Swagger UI and the 401 check. */
  let anon: BrowserHandle | undefined;
  /** A separate fresh profile that answers Basic auth challenges with the admin credentials. */
  let admin: BrowserHandle | undefined;
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];

  beforeAll(async () => {
    worker = startWorker(testEnv(prefix, { WORKER_DOMAINS: 'nlp,vision,audio' }));
    api = await startApi(testEnv(prefix, { ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password }));
    const url = api.url;
    try {
      await waitFor(async () => (await get(url, '/readyz')).status === 200, 120_000, 'GET /readyz 200 (worker ready)');
    } catch (e) {
      throw new Error(`${(e as Error).message}\nworker output:\n${worker.output().slice(-4000)}`);
    }
    anon = await launchBrowser({ viewport: { width: 1280, height: 1000 } });
    anon.page.on('pageerror', (e) => pageErrors.push(e.message));
    anon.page.on('console', (m) => void (m.type() === 'error' && /Content Security Policy/i.test(m.text()) && cspViolations.push(m.text())));
  });

  afterAll(async () => {
    await admin?.close();
    await anon?.close();
    await worker?.stop();
    await api?.close();
  });

  it('Swagger UI "Try it out" runs POST /question-answering against the live worker', async () => {
    const { page } = anon!;
    const doc = await page.goto(`${api!.url}/docs/`, { waitUntil: 'domcontentloaded', timeout: UI_TIMEOUT });
    // The page runs under its Content-Security-Policy, and nothing it does breaks it (checked at the end).
    expect(doc?.headers()['content-security-policy']).toBe(PAGE_CSP);

    // The sync QA operation (not /jobs/question-answering): Swagger UI puts the path in data-path.
    const op = page.locator('.opblock').filter({ has: page.locator('[data-path="/question-answering"]') });
    await op.first().waitFor({ timeout: UI_TIMEOUT });
    expect(await op.count()).toBe(1);
    await expect.poll(() => op.getAttribute('class')).toContain('opblock-post');
    await op.getByRole('button', { name: /\/question-answering/ }).first().click();

    // tryItOutEnabled starts the operation in edit mode (the toggle then reads "Cancel"); click it otherwise.
    const tryItOut = op.getByRole('button', { name: 'Try it out' });
    const execute = op.getByRole('button', { name: 'Execute' });
    await tryItOut.or(execute).first().waitFor({ timeout: UI_TIMEOUT });
    if (await tryItOut.isVisible()) await tryItOut.click();
    await execute.waitFor({ timeout: UI_TIMEOUT });

    const body = op.locator('textarea.body-param__text');
    await body.waitFor({ timeout: UI_TIMEOUT });
    await body.fill(JSON.stringify({ context: CONTEXT, question: QUESTION }, null, 2));
    expect(JSON.parse(await body.inputValue())).toEqual({ context: CONTEXT, question: QUESTION });

    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/question-answering', {
        timeout: 90_000,
      }),
      execute.click(),
    ]);
    expect(response.status()).toBe(200);

    // The live response section ("Server response"): status code cell and the highlighted JSON body.
    const live = op.locator('.live-responses-table');
    await live.waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(async () => (await live.locator('tbody .response-col_status').first().textContent())?.trim(), { timeout: UI_TIMEOUT }).toBe('200');
    const bodyBlock = live.locator('tbody .response-col_description').locator('pre, code').first();
    const text = await waitFor(async () => {
      const t = (await bodyBlock.textContent())?.trim();
      return t && t.startsWith('{') ? t : undefined;
    }, UI_TIMEOUT, 'response body in the DOM');
    const result = JSON.parse(text) as { answer?: unknown };
    expect(typeof result.answer).toBe('string');
    const answer = result.answer as string;
    expect(answer.length).toBeGreaterThan(0);
    expect(CONTEXT).toContain(answer);

    // The page is ~10k px tall: keep the operation from its summary down to the live response.
    const box = async (l: typeof op) =>
      l.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, bottom: r.bottom + window.scrollY };
      });
    const [top, end] = [await box(op), await box(live)];
    await mkdir(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'swagger-qa.png');
    await page.screenshot({ path: file, fullPage: true, clip: { x: top.x, y: top.y, width: top.width, height: end.bottom - top.y + 8 } });
    expect((await stat(file)).size).toBeGreaterThan(10_000);
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it('Swagger UI "Try it out" succeeds for every task as the page fills it in (its example; a real file for uploads)', async () => {
    const { page } = anon!;
    await page.goto(`${api!.url}/docs/`, { waitUntil: 'domcontentloaded', timeout: UI_TIMEOUT });
    const files: Record<UploadMedia, { name: string; mimeType: string; buffer: Buffer }> = {
      image: { name: 'parcel.png', mimeType: 'image/png', buffer: await textImage(['ORDER 58213', 'TOTAL 12.50']) },
      audio: { name: 'voice.wav', mimeType: 'audio/wav', buffer: wav({ seconds: 1.5 }) },
      document: { name: 'receipt.pdf', mimeType: 'application/pdf', buffer: await receiptPdf() },
    };
    const outcomes: string[] = [];
    for (const t of Object.values(TASKS)) {
      const op = page.locator('.opblock').filter({ has: page.locator(`[data-path="/${t.name}"]`) });
      await op.first().waitFor({ timeout: UI_TIMEOUT });
      await op.getByRole('button', { name: new RegExp(`^POST\\s*/${t.name}\\b`) }).first().click();
      const tryItOut = op.getByRole('button', { name: 'Try it out' });
      const execute = op.getByRole('button', { name: 'Execute' });
      await tryItOut.or(execute).first().waitFor({ timeout: UI_TIMEOUT });
      if (await tryItOut.isVisible()) await tryItOut.click();
      await execute.waitFor({ timeout: UI_TIMEOUT });
      // Nothing typed: JSON tasks run their pre-filled example, uploads only get their file.
      if (t.input.kind === 'upload') await op.locator('input[type="file"]').setInputFiles(files[t.input.media]);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/${t.name}`, { timeout: 90_000 }),
        execute.click(),
      ]);
      const body = await response.text();
      outcomes.push(`${t.name}: ${response.status()} ${body.slice(0, 120)}`);
      expect(response.status(), `${t.name}: ${body.slice(0, 500)}`).toBe(200);
      expect(t.result.safeParse(JSON.parse(body)).success, t.name).toBe(true);
      const live = op.locator('.live-responses-table');
      await expect.poll(async () => (await live.locator('tbody .response-col_status').first().textContent())?.trim(), { timeout: UI_TIMEOUT }).toBe('200');
      await mkdir(ARTIFACTS, { recursive: true });
      await op.first().screenshot({ path: path.join(ARTIFACTS, `swagger-${t.name}.png`) });
      // Fold it again: the next operation's locators stay unambiguous.
      await op.getByRole('button', { name: new RegExp(`^POST\\s*/${t.name}\\b`) }).first().click();
    }
    console.log(`[browser] Swagger "Try it out", every task:\n  ${outcomes.join('\n  ')}`);
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it('Swagger UI "Try it out" uploads a file: POST /extract-text reads the printed text', async () => {
    const { page } = anon!;
    await page.goto(`${api!.url}/docs/`, { waitUntil: 'domcontentloaded', timeout: UI_TIMEOUT });
    const op = page.locator('.opblock').filter({ has: page.locator('[data-path="/extract-text"]') });
    await op.first().waitFor({ timeout: UI_TIMEOUT });
    await op.getByRole('button', { name: /\/extract-text/ }).first().click();
    const tryItOut = op.getByRole('button', { name: 'Try it out' });
    const execute = op.getByRole('button', { name: 'Execute' });
    await tryItOut.or(execute).first().waitFor({ timeout: UI_TIMEOUT });
    if (await tryItOut.isVisible()) await tryItOut.click();
    const fileInput = op.locator('input[type="file"]');
    await fileInput.waitFor({ timeout: UI_TIMEOUT });
    await fileInput.setInputFiles({ name: 'label.png', mimeType: 'image/png', buffer: await textImage(['ORDER 58213']) });
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/extract-text', { timeout: 90_000 }),
      execute.click(),
    ]);
    expect(response.status()).toBe(200);
    const result = (await response.json()) as { text: string };
    expect(result.text.replace(/\s/g, '')).toContain('ORDER58213');
    const live = op.locator('.live-responses-table');
    await expect.poll(async () => (await live.locator('tbody .response-col_status').first().textContent())?.trim(), { timeout: UI_TIMEOUT }).toBe('200');
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it("a page follows a job with the browser's own EventSource until it completes", async () => {
    const { page } = anon!;
    await page.goto(`${api!.url}/docs/`, { waitUntil: 'domcontentloaded', timeout: UI_TIMEOUT });
    const seen = await page.evaluate(async () => {
      const r = await fetch('/jobs/summarize-text', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'The parcel came late but intact.' }) });
      const { id } = (await r.json()) as { id: string };
      return new Promise<{ id: string; types: string[]; result: unknown }>((resolve, reject) => {
        const types: string[] = [];
        const es = new EventSource(`/jobs/${id}/events`);
        const timer = setTimeout(() => (es.close(), reject(new Error(types.join(',')))), 60_000);
        for (const t of ['queued', 'active', 'progress', 'failed', 'cancelled']) es.addEventListener(t, () => types.push(t));
        es.addEventListener('completed', (m) => {
          types.push('completed');
          es.close();
          clearTimeout(timer);
          resolve({ id, types, result: (JSON.parse((m as MessageEvent<string>).data) as { result: unknown }).result });
        });
      });
    });
    expect(seen.types.at(-1)).toBe('completed');
    const job = await get(api!.url, `/jobs/${seen.id}`);
    expect(seen.result).toEqual(job.body.result);
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it('Bull Board needs the admin credentials, lists the queues and shows a completed job', async () => {
    const url = api!.url;

    // Without credentials the navigation is answered 401. Headless Chromium then fails the navigation
    // itself (net::ERR_INVALID_AUTH_CREDENTIALS, there is no prompt to show), so the status is read from
    // the document response rather than from goto()'s return value.
    const anonPage = await anon!.context.newPage();
    const [denied, nav] = await Promise.all([
      anonPage.waitForResponse((r) => r.request().isNavigationRequest() && new URL(r.url()).pathname === '/admin/queues', { timeout: UI_TIMEOUT }),
      anonPage.goto(`${url}/admin/queues`, { timeout: UI_TIMEOUT }).catch((e: Error) => e),
    ]);
    expect(denied.status()).toBe(401);
    expect(denied.headers()['www-authenticate']).toMatch(/^Basic /);
    if (nav instanceof Error) expect(nav.message).toMatch(/ERR_INVALID_AUTH_CREDENTIALS/);
    else expect(nav?.status()).toBe(401);
    await anonPage.close();

    // A job through the public API first, so the board has something to show.
    const accepted = await post(url, '/jobs/summarize-text', { text: `${CONTEXT} ${CONTEXT}`, max_length: 20 });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const jobId = accepted.body.id as string;
    expect(jobId).toMatch(/^nlp_/);
    const done = await pollJob(url, jobId, 90_000);
    expect(done.status, JSON.stringify(done)).toBe('completed');

    // A fresh profile with HTTP credentials set before its first request.
    admin = await launchBrowser({ viewport: { width: 1280, height: 1000 } });
    await admin.context.setHTTPCredentials({ ...ADMIN, origin: url });
    const { page } = admin;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const violations: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && /Content Security Policy/i.test(m.text()) && violations.push(m.text())));
    const external: string[] = [];
    page.on('requestfinished', (r) => void (!r.url().startsWith(url) && external.push(r.url())));
    const attempted: string[] = [];
    page.on('request', (r) => void (!r.url().startsWith(url) && !r.url().startsWith('data:') && attempted.push(r.url())));

    const home = await page.goto(`${url}/admin/queues`, { waitUntil: 'domcontentloaded', timeout: UI_TIMEOUT });
    expect(home?.status()).toBe(200);
    expect(home?.headers()['content-security-policy']).toBe(PAGE_CSP);
    await page.getByText('CustomerAssist queues').first().waitFor({ timeout: UI_TIMEOUT });
    for (const queue of ['nlp', 'vision', 'audio']) {
      await expect.poll(() => page.getByRole('link', { name: queue, exact: true }).count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    }

    // Into the nlp queue, then its Completed tab (the route is /queue/:queueName?status=completed).
    await page.getByRole('link', { name: 'nlp', exact: true }).first().click();
    await page.waitForURL(/\/admin\/queues\/queue\/nlp(\?|$)/, { timeout: UI_TIMEOUT });
    await page.getByText('nlp tasks').first().waitFor({ timeout: UI_TIMEOUT });
    await page.getByRole('link', { name: /^completed/i }).first().click();
    await page.waitForURL(/\/admin\/queues\/queue\/nlp\?(.*&)?status=completed/, { timeout: UI_TIMEOUT });
    // Also reachable directly by URL (a reload keeps the tab).
    await page.goto(`${url}/admin/queues/queue/nlp?status=completed`, { waitUntil: 'domcontentloaded', timeout: UI_TIMEOUT });

    // The summarize job is listed there, by id and by name.
    const card = page.getByText(jobId).first();
    await card.waitFor({ timeout: UI_TIMEOUT });
    await page.getByText('summarize-text', { exact: true }).first().waitFor({ timeout: UI_TIMEOUT });
    await card.scrollIntoViewIfNeeded();

    const file = await admin.screenshot('bull-board');
    expect(file).toMatch(/bull-board\.png$/);
    expect(errors).toEqual([]);
    // Nothing from outside the service: not even an attempt the policy would have to refuse.
    expect(external).toEqual([]);
    expect(attempted).toEqual([]);
    expect(violations).toEqual([]);
  });
});
