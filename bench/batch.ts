/**
 * §6 of the benchmark: live calls while a batch drains (issue 11: "live traffic keeps its latency").
 * Bench-size QA for both: sequential live calls without a batch, then the same while a batch of QA items
 * drains, in three layouts: the default (one worker process: batch items in a slot of their own, live
 * model calls first), two worker processes with one ONNX Runtime thread each, and the same two with one
 * kept for live traffic (WORKER_BATCH_CONCURRENCY=0). A model call is never interrupted: in one process
 * a live call can wait for the batch call that is running; a worker of its own runs it at once.
 */
import { runLoad } from './lib/load.js';
import { api, benchPrefix, worker, type Cleanup } from './lib/service.js';
import { ms, percentile, type Row } from './lib/stats.js';
import { BENCH_DIR } from './model-layer.js';
import { benchQaEnv, qaBody } from './e2e.js';

export async function benchBatchBesideLive(calls: number, cleanup: Cleanup, rows: Row[], log: (m: string) => void): Promise<void> {
  const { body, tokens } = await qaBody(BENCH_DIR);
  const layouts: { name: string; workers: Record<string, string>[] }[] = [
    { name: '1 worker process (default)', workers: [{}] },
    { name: '2 worker processes × ORT_THREADS=1', workers: [{ ORT_THREADS: '1' }, { ORT_THREADS: '1' }] },
    { name: '2 × ORT_THREADS=1, one kept for live calls (WORKER_BATCH_CONCURRENCY=0)', workers: [{ ORT_THREADS: '1', WORKER_BATCH_CONCURRENCY: '0' }, { ORT_THREADS: '1' }] },
  ];
  for (const [n, layout] of layouts.entries()) {
    const prefix = benchPrefix(`batch-l${n}`);
    const env = benchQaEnv(prefix, { BATCH_MAX_ITEMS: '2000' });
    const { name } = layout;
    const a = await api(env, cleanup);
    log(`§6 ${name}: starting`);
    for (const extra of layout.workers) await worker({ ...env, ...extra }, a, cleanup);
    const live = { url: `${a.url}/question-answering`, body, concurrency: 1, count: calls };
    await runLoad({ ...live, count: 5 }); // warm-up
    const alone = await runLoad(live);
    const items = Array.from({ length: 1000 }, (_, i) => JSON.parse(body.replace('__N__', `batch ${i}`)) as unknown);
    const sub = await fetch(`${a.url}/batches/question-answering`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
    if (sub.status !== 202) throw new Error(`§6: the batch was refused (${sub.status} ${await sub.text()})`);
    const batchId = ((await sub.json()) as { id: string }).id;
    await new Promise((r) => setTimeout(r, 500)); // the batch is draining
    const during = await runLoad(live);
    const view = (await (await fetch(`${a.url}/batches/${batchId}`)).json()) as { counts: { pending: number; completed: number } };
    await fetch(`${a.url}/batches/${batchId}`, { method: 'DELETE' });
    if (alone.ok < calls || during.ok < calls) throw new Error(`§6: live calls failed (${alone.firstError ?? during.firstError})`);
    const p0 = percentile(alone.latencies, 50);
    const p1 = percentile(during.latencies, 50);
    rows.push({
      section: '6 batch beside live',
      what: `live sync QA p50 while a 1,000-item QA batch drains, ${name}`,
      how: `bench-size QA (${tokens} tokens, q8) for live calls and batch items; ${calls} sequential live calls without, then with the batch (${view.counts.completed} items done, ${view.counts.pending} pending after them)`,
      value: `${ms(p0)} alone → ${ms(p1)} beside the batch (${(p1 / p0).toFixed(2)}×) · p95 ${ms(percentile(alone.latencies, 95))} → ${ms(percentile(during.latencies, 95))}`,
    });
    await cleanup.run(log);
  }
}
