/**
 * `GET /jobs/{id}/events`: a job's life as Server-Sent Events — `queued`, `active`, `progress` (steps of
 * tasks that have several), then one final `completed` (with the result), `failed` or `cancelled`, after
 * which the stream ends. Event ids are the ids of BullMQ's event stream, so a client that reconnects
 * with `Last-Event-ID` is sent what it missed from there (204, which stops an EventSource, when that was
 * the end); a first connection starts with the job's current state. Comments every HEARTBEAT_MS keep proxies from closing an idle stream. Only the job's
 * own API key sees it (404 otherwise, as for GET /jobs/{id}).
 */
import { Router, type Response } from 'express';
import { queueOfJobId, type JobEvent, type JobView } from '@ca/shared';
import type { AppDeps } from '../context.js';

const HEARTBEAT_MS = 15_000;
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
const FINAL = new Set(['completed', 'failed', 'cancelled']);

export function eventRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/jobs/:id/events', async (req, res) => {
    const id = String(req.params.id);
    const first = await deps.jobs.view(id, req.owner); // 404 for unknown ids and other keys' jobs
    const queue = queueOfJobId(id)!;
    const resumeFrom = req.get('Last-Event-ID');
    let last = resumeFrom && STREAM_ID.test(resumeFrom) ? resumeFrom : undefined;
    // Listening first, buffered until the replay and the snapshot are out: nothing falls between.
    let ended = false;
    const live: { id: string; event: JobEvent }[] = [];
    let replaying = true;
    const unwatch = await deps.jobs.watch(id, (event, streamId) => (replaying ? live.push({ id: streamId, event }) : void send(streamId, event)));
    const missed = last ? await deps.jobs.eventsSince(id, last).catch((e: unknown) => (unwatch(), Promise.reject(e))) : [];
    // A reconnect after the final event (EventSource reconnects when a stream ends): 204 tells it to stop.
    if (last && !missed.length && FINAL.has(first.status)) {
      unwatch();
      res.status(204).end();
      return;
    }

    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      unwatch();
      res.end();
    };
    req.on('close', end);

    /** Write one event (skipping what the client has had), and end the stream after a final one. */
    async function send(streamId: string, event: JobEvent): Promise<void> {
      if (ended || (last && compareIds(streamId, last) <= 0)) return;
      last = streamId;
      const type = event.type === 'removed' ? 'cancelled' : event.type;
      if (event.type === 'failed' && event.failure.code === 'cancelled') return write(res, streamId, 'cancelled', await viewOr(id, first));
      if (FINAL.has(type)) {
        write(res, streamId, type, await viewOr(id, first));
        return end();
      }
      write(res, streamId, type, event.type === 'progress' ? { id, status: 'active', progress: event.data } : { id, status: type });
    }

    async function viewOr(jobId: string, fallback: JobView): Promise<JobView> {
      return deps.jobs.view(jobId, req.owner).catch(() => ({ ...fallback, status: 'cancelled' as const }));
    }

    try {
      // A reconnect: what happened since the client's last event, from the domain's event stream.
      for (const e of missed) await send(e.id, e.event);
      if (!ended) {
        // The job as it is now, under the stream's newest id read before it (events after that id come
        // next, so nothing between the two reads is missed). On a reconnect, only if it has finished.
        const at = await deps.jobs.lastEventId(queue);
        const now = await deps.jobs.view(id, req.owner);
        if (!resumeFrom || FINAL.has(now.status)) {
          if (!last || compareIds(at, last) > 0) last = at;
          write(res, last, now.status, now);
          if (FINAL.has(now.status)) return end();
        }
      }
      replaying = false;
      for (const e of live.splice(0)) await send(e.id, e.event);
    } catch {
      end(); // Redis went away mid-stream: the client reconnects with its Last-Event-ID
    }
  });
  return r;
}

function write(res: Response, id: string, event: string, data: unknown): void {
  res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Order of two Redis stream ids ("ms-seq"). */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
}
