/** /openapi.json, Swagger UI at /docs and Bull Board at /admin/queues, served by the real app (real Redis). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASKS } from '@ca/shared';
import { startApi, type ApiHandle } from '../../../../test/helpers/api.js';
import { testEnv, testPrefix } from '../../../../test/helpers/env.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('docs', () => {
  let api: ApiHandle;
  beforeAll(async () => {
    api = await startApi(testEnv(testPrefix('docs')));
  });
  afterAll(() => api?.close());

  it('serves the document as JSON with every task route', async () => {
    const res = await fetch(`${api.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    for (const name of Object.keys(TASKS)) {
      expect(doc.paths).toHaveProperty([`/${name}`]);
      expect(doc.paths).toHaveProperty([`/jobs/${name}`]);
    }
  });

  it('serves Swagger UI with local assets', async () => {
    const redirect = await fetch(`${api.url}/docs`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(new URL(redirect.headers.get('location')!, `${api.url}/docs`).pathname).toBe('/docs/');
    const page = await fetch(`${api.url}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui-bundle.js');
    expect(html).not.toMatch(/src=["']https?:/);
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css']) expect((await fetch(`${api.url}/docs/${asset}`)).status, asset).toBe(200);
    const init = await (await fetch(`${api.url}/docs/swagger-ui-init.js`)).text();
    expect(init).toContain('"tryItOutEnabled": true');
    expect(init).toContain('../openapi.json');
  });

  it('has no admin board without credentials configured', async () => {
    const res = await fetch(`${api.url}/admin/queues`, { headers: { Authorization: basic('admin', 'x') } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('bull board', () => {
  let api: ApiHandle;
  const auth = basic('ops', 's3cret pass');
  beforeAll(async () => {
    // API keys on as well: the board must answer to its own Basic auth, not to the API-key check.
    api = await startApi(testEnv(testPrefix('admin'), { ADMIN_USER: 'ops', ADMIN_PASSWORD: 's3cret pass', API_KEYS: 'key-1' }));
  });
  afterAll(() => api?.close());

  it('asks for credentials', async () => {
    for (const headers of [{}, { Authorization: basic('ops', 'wrong') }, { Authorization: basic('nobody', 's3cret pass') }, { Authorization: 'Bearer key-1' }] as Record<string, string>[]) {
      const res = await fetch(`${api.url}/admin/queues`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
    expect((await fetch(`${api.url}/admin/queues/api/queues`)).status).toBe(401);
  });

  it('serves the board and lists every domain queue', async () => {
    const page = await fetch(`${api.url}/admin/queues`, { headers: { Authorization: auth } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const body = (await (await fetch(`${api.url}/admin/queues/api/queues`, { headers: { Authorization: auth } })).json()) as {
      queues: { name: string; readOnlyMode: boolean }[];
    };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['audio', 'audio-batch', 'nlp', 'nlp-batch', 'vision', 'vision-batch']);
    expect(body.queues.every((q) => q.readOnlyMode === false)).toBe(true);
  });

  it('shows long text in job data cut', async () => {
    const long = 'x'.repeat(1000);
    await api.deps.jobs.queues.nlp.add('question-answering', { v: 1, task: 'question-answering', input: { context: long, question: 'q?' } }, { jobId: 'nlp_bb-truncation-test-000' });
    const res = await fetch(`${api.url}/admin/queues/api/queues?activeQueue=nlp&status=waiting&page=1`, { headers: { Authorization: auth } });
    const body = (await res.json()) as { queues: { name: string; jobs: { id: string; data: { input: { context: string; question: string } } }[] }[] };
    const job = body.queues.find((q) => q.name === 'nlp')!.jobs.find((j) => j.id === 'nlp_bb-truncation-test-000')!;
    expect(job.data.input.question).toBe('q?');
    expect(job.data.input.context.length).toBeLessThan(250);
    expect(job.data.input.context).toContain('[1000 chars]');
  });
});

describe('bull board read-only', () => {
  let api: ApiHandle;
  beforeAll(async () => {
    api = await startApi(testEnv(testPrefix('admin-ro'), { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'pw', ADMIN_READ_ONLY: 'true' }));
  });
  afterAll(() => api?.close());

  it('puts every queue in read-only mode', async () => {
    const res = await fetch(`${api.url}/admin/queues/api/queues`, { headers: { Authorization: basic('ops', 'pw') } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues).toHaveLength(6);
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
    // Every action is 405 read_only, "pause all" and "resume all" included.
    for (const action of ['queues/nlp/clean/completed', 'queues/pause', 'queues/resume', 'queues/nlp/retry/failed', 'queues/nlp/empty']) {
      const res = await fetch(`${api.url}/admin/queues/api/${action}`, { method: 'PUT', headers: { Authorization: basic('ops', 'pw') } });
      expect(res.status, action).toBe(405);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('read_only');
    }
    expect(await api.deps.jobs.queues.nlp.isPaused()).toBe(false);
  });
});
