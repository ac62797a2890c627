/**
 * GET /jobs/{id}/events read with a real EventSource client (the `eventsource` package): a job's
 * queued → active → progress → completed transcript, the end of the stream after the final event (and
 * 204 on the reconnect, which stops the client), a resume with Last-Event-ID that sends only what was
 * missed, and 404 for another key's job.
 */
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { get, pollJob, post } from '../helpers/http.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';
import { form, wav } from '../helpers/media.js';

const A = { Authorization: 'Bearer key-a' };
// Many sentences: several QA windows, so the job has progress to report.
const CONTEXT = Array.from({ length: 60 }, (_, i) => `Order ${i} was shipped on day ${i % 28} and arrived in good condition.`).join(' ');
const QA = { context: CONTEXT, question: 'When was order 7 shipped?' };

let api: ApiHandle;
let worker: WorkerHandle;
beforeAll(async () => {
  const prefix = testPrefix('events');
  api = await startApi(testEnv(prefix, { API_KEYS: 'key-a,key-b', MAX_TEXT_CHARS: '20000' }));
  worker = startWorker(testEnv(prefix, { WORKER_DOMAINS: 'nlp,audio', MAX_TEXT_CHARS: '20000' }));
  await waitFor(async () => (await get(api.url, '/readyz', A)).body.tasks['audio-transcribe'].ready && (await get(api.url, '/readyz', A)).body.domains.nlp.ready, 60_000, 'nlp and audio served');
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

interface Received {
  type: string;
  id: string;
  data: { status: string; progress?: { done: number; total: number; unit: string }; result?: unknown };
}

/** Read a job's events until the stream's final event; the client is closed by then or by the 204. */
function transcript(url: string, headers: Record<string, string>, lastEventId?: string, onEvent?: (e: Received) => void): Promise<{ events: Received[]; opens: number }> {
  return new Promise((resolve, reject) => {
    const events: Received[] = [];
    let opens = 0;
    const es = new EventSource(url, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers, ...(lastEventId && !opens ? { 'Last-Event-ID': lastEventId } : {}) } }),
    });
    const timer = setTimeout(() => (es.close(), reject(new Error(`no final event: ${JSON.stringify(events.map((e) => e.type))}`))), 60_000);
    es.onopen = () => opens++;
    for (const type of ['queued', 'active', 'progress', 'completed', 'failed', 'cancelled']) {
      es.addEventListener(type, (m) => {
        events.push({ type, id: m.lastEventId, data: JSON.parse(m.data) });
        onEvent?.(events.at(-1)!);
      });
    }
    // After the final event the server ends the stream; the client's reconnect gets 204 and gives up.
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        clearTimeout(timer);
        resolve({ events, opens });
      }
    };
  });
}

describe('job events (SSE)', () => {
  it('tell a job from queued to completed, with progress, then end', async () => {
    // The queue is paused until the stream has told "queued": the job cannot finish before the client
    // listens, however fast the model is (a finished job's stream tells only its end).
    const nlp = api.deps.jobs.queues.nlp;
    await nlp.pause();
    const id = (await post(api.url, '/jobs/question-answering', QA, A)).body.id as string;
    let resuming: Promise<void> | undefined;
    const { events, opens } = await transcript(`${api.url}/jobs/${id}/events`, A, undefined, () => void (resuming ??= nlp.resume())).finally(() => nlp.resume());
    await resuming;
    expect(events[0]!.type).toBe('queued');
    const types = events.map((e) => e.type);
    console.log(`[events] ${id}: ${events.map((e) => `${e.type}${e.data.progress ? ` ${e.data.progress.done}/${e.data.progress.total}` : ''}`).join(', ')}`);
    expect(types.at(-1)).toBe('completed');
    expect(types.filter((t) => t === 'completed')).toHaveLength(1);
    expect(events.at(-1)!.data).toMatchObject({ status: 'completed', result: (await pollJob(api.url, id, 10_000, A)).result });
    const progress = events.filter((e) => e.type === 'progress').map((e) => e.data.progress!);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toMatchObject({ unit: 'windows' });
    expect(progress.every((p, i) => i === 0 || p.done > progress[i - 1]!.done)).toBe(true);
    // Ids only grow: they are the event stream's.
    const ids = events.map((e) => e.id);
    expect([...ids].sort((a, b) => (BigInt(a.split('-')[0]!) === BigInt(b.split('-')[0]!) ? Number(a.split('-')[1]) - Number(b.split('-')[1]) : Number(BigInt(a.split('-')[0]!) - BigInt(b.split('-')[0]!))))).toEqual(ids);
    expect(opens).toBe(1); // one stream: the reconnect after it was told 204 (no open), and the client closed

    // A client that had seen up to the first progress event is sent the rest, and only the rest.
    const cut = events.findIndex((e) => e.type === 'progress');
    const resumed = await transcript(`${api.url}/jobs/${id}/events`, A, events[cut]!.id);
    expect(resumed.events.map((e) => e.id)).toEqual(ids.slice(cut + 1));
  }, 90_000);

  it('tell a long voice message chunk by chunk', async () => {
    const voice = wav({ seconds: 70, sampleRate: 8000 }); // three 30 s chunks, 5 s strides
    const id = (await post(api.url, '/jobs/audio-transcribe', form(voice, 'voice.wav'), A)).body.id as string;
    const { events } = await transcript(`${api.url}/jobs/${id}/events`, A);
    console.log(`[events] ${id}: ${events.map((e) => `${e.type}${e.data.progress ? ` ${e.data.progress.done}/${e.data.progress.total} ${e.data.progress.unit}` : ''}`).join(', ')}`);
    expect(events.filter((e) => e.type === 'progress').map((e) => e.data.progress)).toEqual([
      { done: 1, total: 3, unit: 'audio chunks' },
      { done: 2, total: 3, unit: 'audio chunks' },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'completed', data: { status: 'completed', result: { duration_s: 70 } } });
  }, 90_000);

  it("a finished job's stream is its final event; another key's job is 404", async () => {
    const id = (await post(api.url, '/jobs/question-answering', { context: 'Refunds take 5 days.', question: 'How long do refunds take?' }, A)).body.id as string;
    await pollJob(api.url, id, 30_000, A);
    const { events } = await transcript(`${api.url}/jobs/${id}/events`, A);
    expect(events.map((e) => e.type)).toEqual(['completed']);
    const other = await fetch(`${api.url}/jobs/${id}/events`, { headers: { Authorization: 'Bearer key-b' } });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('job_not_found');
  }, 60_000);
});
