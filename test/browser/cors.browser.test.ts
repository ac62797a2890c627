/**
 * CORS in a real browser: a page served from an origin listed in CORS_ORIGINS calls the API with
 * `fetch` (an API key, so a preflight), and reads the answer and the exposed headers; a page from an
 * origin not listed is refused by the browser itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phantomWorker, startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { launchBrowser, type BrowserHandle } from './browser.js';

/** A web page of a help desk, on a port (an origin) of its own. */
async function page() {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>desk</title><p>desk</p>'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

let api: ApiHandle;
let desk: Awaited<ReturnType<typeof page>>;
let stranger: Awaited<ReturnType<typeof page>>;
let browser: BrowserHandle;
let releasePhantom: () => Promise<unknown>;

beforeAll(async () => {
  [desk, stranger] = [await page(), await page()];
  api = await startApi(testEnv(testPrefix('cors'), { CORS_ORIGINS: desk.origin, API_KEYS: 'desk-key' }));
  releasePhantom = await phantomWorker(api, 'nlp');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await releasePhantom?.();
  await api?.close();
  await desk?.close();
  await stranger?.close();
});

/** Submit a job from the page's own origin, as a desk's script would. */
const submitFromPage = (apiUrl: string) =>
  browser.page.evaluate(async (url) => {
    try {
      const r = await fetch(`${url}/jobs/summarize-text`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer desk-key', 'x-request-id': 'desk-42' },
        body: JSON.stringify({ text: 'The parcel arrived late.' }),
      });
      return { status: r.status, requestId: r.headers.get('x-request-id'), location: r.headers.get('location'), rate: r.headers.get('ratelimit-limit'), body: await r.json() };
    } catch (e) {
      return { error: String(e) };
    }
  }, apiUrl);

describe('CORS', () => {
  it('a listed origin calls the API and reads the answer and its headers', async () => {
    await browser.page.goto(`${desk.origin}/`);
    const r = (await submitFromPage(api.url)) as { status: number; requestId: string; location: string; body: { id: string } };
    expect(r.status).toBe(202);
    expect(r.requestId).toBe('desk-42');
    expect(r.location).toBe(`/jobs/${r.body.id}`);
  });

  it('an origin not listed is refused by the browser (its preflight is 403 origin_not_allowed)', async () => {
    await browser.page.goto(`${stranger.origin}/`);
    const r = (await submitFromPage(api.url)) as { error?: string };
    expect(r.error).toMatch(/Failed to fetch/);
    const preflight = await fetch(`${api.url}/jobs/summarize-text`, { method: 'OPTIONS', headers: { origin: stranger.origin, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(((await preflight.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
