/**
 * Every task, synchronously and asynchronously, through HTTP, on a real Redis and a real worker process
 * running the generated tiny models (and the real OCR weights). Results are checked against the contracts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASKS, type TaskName } from '@ca/shared';
import { startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { form, productPhoto, textImage, wav } from '../helpers/media.js';
import { get, pollJob, post } from '../helpers/http.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';

let api: ApiHandle;
let worker: WorkerHandle;
const prefix = testPrefix('tasks');

beforeAll(async () => {
  worker = startWorker(testEnv(prefix));
  api = await startApi(testEnv(prefix));
  await waitFor(async () => (await get(api.url, '/readyz')).status === 200, 120_000, `worker ready\n${worker.output()}`).catch((e) => {
    throw new Error(`${(e as Error).message}\n${worker.output().slice(-3000)}`);
  });
});

afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

const CONTEXT =
  'Our return policy lets customers return items within 30 days of delivery. Refunds are paid to the original payment method within 5 business days. Damaged items can be exchanged free of charge.';

async function bodies(): Promise<Record<TaskName, () => unknown>> {
  const photo = await productPhoto('png');
  const label = await textImage(['ORDER 58213', 'TOTAL 45.67']);
  const voice = wav({ seconds: 1.5 });
  return {
    'question-answering': () => ({ context: CONTEXT, question: 'How long do refunds take?' }),
    'summarize-text': () => ({ text: `${CONTEXT} ${CONTEXT}`, max_length: 20 }),
    'translate-text': () => ({ text: 'मेरा ऑर्डर कहाँ है?', src_lang: 'hi', target_lang: 'en' }),
    'check-item-return-eligibility': () => form(photo, 'photo.png'),
    'audio-transcribe': () => form(voice, 'voice.wav', { language: 'hi' }),
    'audio-transcribe-translate': () => form(voice, 'voice.wav', { src_lang: 'hi', target_lang: 'fr' }),
    'extract-text': () => form(label, 'label.png'),
  };
}

describe('every task through HTTP', () => {
  for (const name of Object.keys(TASKS) as TaskName[]) {
    it(`${name}: synchronous call returns a result matching the contract`, async () => {
      const body = (await bodies())[name]();
      const r = await post(api.url, `/${name}`, body);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const parsed = TASKS[name].result.safeParse(r.body);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(r.headers.get('x-request-id')).toBeTruthy();
    });

    it(`${name}: asynchronous job completes with the same contract`, async () => {
      const body = (await bodies())[name]();
      const r = await post(api.url, `/jobs/${name}`, body);
      expect(r.status).toBe(202);
      expect(r.headers.get('location')).toBe(`/jobs/${r.body.id}`);
      expect(r.body).toMatchObject({ task: name, status: 'queued', links: { self: `/jobs/${r.body.id}` } });
      const job = await pollJob(api.url, r.body.id);
      expect(job.status, JSON.stringify(job)).toBe('completed');
      expect(TASKS[name].result.safeParse(job.result).success).toBe(true);
      expect(job.attempts).toBeGreaterThanOrEqual(0);
      expect(Date.parse(job.finished_at)).toBeGreaterThanOrEqual(Date.parse(job.created_at));
    });
  }

  it('question-answering answers with a span of the context at the given offsets', async () => {
    const r = await post(api.url, '/question-answering', { context: CONTEXT, question: 'What can be exchanged?' });
    expect(r.status).toBe(200);
    expect(r.body.answer.length).toBeGreaterThan(0);
    expect(CONTEXT.slice(r.body.start, r.body.end)).toBe(r.body.answer);
  });

  it('question-answering searches long contexts window by window', async () => {
    const filler = 'The warehouse ships parcels every weekday from the central depot. '.repeat(40);
    const context = `${filler}The support hotline number is 1800-555-0199. ${filler}`.slice(0, 4000);
    const r = await post(api.url, '/question-answering', { context, question: 'What is the support hotline number?' });
    expect(r.status).toBe(200);
    expect(context.slice(r.body.start, r.body.end)).toBe(r.body.answer);
  });

  it('extract-text reads the real printed text (real OCR weights)', async () => {
    const r = await post(api.url, '/extract-text', form(await textImage(['ORDER 58213', 'TOTAL 45.67']), 'l.png'));
    expect(r.status).toBe(200);
    expect(r.body.text.replace(/\s/g, '')).toContain('58213');
    expect(r.body.text).toContain('45.67');
    expect(r.body.lines).toHaveLength(2);
  });

  it('extract-text answers an image without text with empty text', async () => {
    const blank = await textImage([]);
    const r = await post(api.url, '/extract-text', form(blank, 'blank.png'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ text: '', lines: [] });
  });

  it('audio-transcribe-translate to English uses the speech model alone, other targets chain translate-text', async () => {
    const voice = wav({ seconds: 1 });
    const en = await post(api.url, '/audio-transcribe-translate', form(voice, 'v.wav', { src_lang: 'hindi' }));
    expect(en.status).toBe(200);
    expect(en.body).toMatchObject({ target_lang: 'en', src_lang: 'hi' });
    const fr = await post(api.url, '/audio-transcribe-translate', form(voice, 'v.wav', { target_lang: 'fra' }));
    expect(fr.status).toBe(200);
    expect(fr.body.target_lang).toBe('fr');
    expect(typeof fr.body.translation).toBe('string');
  });

  it('reports readiness per domain with models and execution provider', async () => {
    const r = await get(api.url, '/readyz');
    expect(r.status).toBe(200);
    for (const d of ['nlp', 'vision', 'audio']) {
      expect(r.body.domains[d]).toMatchObject({ ready: true, workers: 1, providers: ['cpu'] });
      expect(r.body.domains[d].models.length).toBeGreaterThan(0);
    }
    expect(r.body.domains.vision.models).toContain('paddleocr/PP-OCRv4');
  });

  it('an unknown job id is 404', async () => {
    for (const id of ['nlp_AAAAAAAAAAAAAAAAAAAAAA', 'nope', '..%2Fetc%2Fpasswd', 'vision_' + 'x'.repeat(300)]) {
      const r = await get(api.url, `/jobs/${id}`);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('job_not_found');
    }
  });
});

describe('readiness lists each domain with its own models', () => {
  it('nlp has the text models, vision the image models, audio the speech model', async () => {
    const r = await get(api.url, '/readyz');
    expect(r.body.domains.nlp.models.sort()).toEqual(['ca-tiny/qa', 'ca-tiny/summarizer', 'ca-tiny/translator']);
    expect(r.body.domains.vision.models.sort()).toEqual(['ca-tiny/clip', 'paddleocr/PP-OCRv4']);
    expect(r.body.domains.audio.models).toEqual(['ca-tiny/whisper']);
  });
});
