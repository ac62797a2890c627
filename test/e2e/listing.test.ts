/**
 * GET /jobs: the caller's own jobs, newest first, filtered by task and status, a page at a time with a
 * cursor that neither skips nor repeats a job (also within one millisecond); another key's jobs never show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phantomWorker, startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { call, get, post } from '../helpers/http.js';

const A = { Authorization: 'Bearer key-a' };
const B = { Authorization: 'Bearer key-b' };
let api: ApiHandle;
let release: () => Promise<unknown>;
const mine: string[] = []; // key A's jobs, in submit order

beforeAll(async () => {
  api = await startApi(testEnv(testPrefix('listing'), { API_KEYS: 'key-a,key-b' }));
  release = await phantomWorker(api, 'nlp');
  for (let i = 0; i < 7; i++) {
    const task = i % 3 === 0 ? 'translate-text' : 'summarize-text';
    const body = task === 'translate-text' ? { text: `Order ${i} shipped.`, src_lang: 'en', target_lang: 'fr' } : { text: `Ticket ${i}: the box was crushed.` };
    mine.push((await post(api.url, `/jobs/${task}`, body, A)).body.id);
  }
  // Several in one go: some share a millisecond.
  const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => post(api.url, '/jobs/summarize-text', { text: `Burst ${i}.` }, A)));
  mine.push(...burst.map((r) => r.body.id as string));
  await post(api.url, '/jobs/summarize-text', { text: 'Not yours.' }, B);
});
afterAll(async () => {
  await release?.();
  await api?.close();
});

async function all(query: string, headers = A): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const r = await get(api.url, `/jobs?${query}${cursor ? `&cursor=${cursor}` : ''}`, headers);
    expect(r.status).toBe(200);
    ids.push(...r.body.jobs.map((j: { id: string }) => j.id));
    cursor = r.body.next_cursor;
    pages++;
  } while (cursor && pages < 50);
  return { ids, pages };
}

describe('GET /jobs', () => {
  it('lists the caller’s jobs newest first, every one exactly once across pages', async () => {
    const first = await get(api.url, '/jobs', A);
    expect(first.body.jobs).toHaveLength(13);
    expect(first.body.next_cursor).toBeUndefined();
    const created = first.body.jobs.map((j: { created_at: string }) => j.created_at);
    expect([...created].sort().reverse()).toEqual(created);
    const paged = await all('limit=2');
    expect(paged.pages).toBe(7);
    expect(paged.ids).toEqual(first.body.jobs.map((j: { id: string }) => j.id));
    expect(new Set(paged.ids)).toEqual(new Set(mine));
  });

  it('filters by task and status, and shows another key only its own', async () => {
    const translations = (await all('task=translate-text&limit=1')).ids;
    expect(translations.sort()).toEqual([mine[0], mine[3], mine[6]].sort());
    await call(api.url, 'DELETE', `/jobs/${mine[1]}`, undefined, A);
    expect((await get(api.url, '/jobs?status=cancelled', A)).body.jobs.map((j: { id: string }) => j.id)).toEqual([mine[1]]);
    expect((await get(api.url, '/jobs?status=queued', A)).body.jobs).toHaveLength(12);
    const theirs = await get(api.url, '/jobs', B);
    expect(theirs.body.jobs).toHaveLength(1);
    expect(mine).not.toContain(theirs.body.jobs[0].id);
  });

  it('refuses bad queries with 422 and asks for a key', async () => {
    for (const q of ['task=nope', 'status=done', 'limit=0', 'limit=101', 'cursor=bm9wZQ', 'colour=red']) {
      const r = await get(api.url, `/jobs?${q}`, A);
      expect(r.status, q).toBe(422);
      expect(r.body.error.code, q).toBe('validation_error');
    }
    expect((await get(api.url, '/jobs')).status).toBe(401);
  });
});
