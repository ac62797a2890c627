import { afterEach, describe, expect, it, vi } from 'vitest';
import { Turns } from '../src/inference/turns.js';

const tick = () => new Promise((r) => setImmediate(r));

/** A model call that records when it runs and ends when released. */
function call(log: string[], name: string, running: { n: number; max: number }) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  const fn = async () => {
    running.n++;
    running.max = Math.max(running.max, running.n);
    log.push(name);
    await done;
    running.n--;
    return name;
  };
  return { fn, release };
}

/** End a running call and let the turn pass on. */
async function finish(c: { release(): void }, ended?: Promise<unknown>): Promise<void> {
  c.release();
  await (ended ?? tick());
}

afterEach(() => void vi.useRealTimers());

describe('model-call turns', () => {
  it('runs one call at a time, the lowest priority number first, then in order of asking', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const running = { n: 0, max: 0 };
    const calls = { batch1: call(log, 'batch1', running), batch2: call(log, 'batch2', running), batch3: call(log, 'batch3', running), live1: call(log, 'live1', running), live2: call(log, 'live2', running) };
    const results = [
      turns.take(100, calls.batch1.fn),
      turns.take(100, calls.batch2.fn),
      turns.take(100, calls.batch3.fn),
      turns.take(0, calls.live1.fn),
      turns.take(0, calls.live2.fn),
    ];
    await tick();
    expect(log).toEqual(['batch1']);
    expect(turns.queued).toBe(4);
    for (const name of ['batch1', 'live1', 'live2', 'batch2', 'batch3'] as const) await finish(calls[name]);
    expect(await Promise.all(results)).toEqual(['batch1', 'batch2', 'batch3', 'live1', 'live2']);
    expect(log).toEqual(['batch1', 'live1', 'live2', 'batch2', 'batch3']);
    expect(running.max).toBe(1);
  });

  it('a call asked for while the turn passes to a woken call waits for it', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const running = { n: 0, max: 0 };
    const a = call(log, 'a', running);
    const b = call(log, 'b', running);
    const c = call(log, 'c', running);
    const pa = turns.take(0, a.fn);
    const pb = turns.take(0, b.fn);
    await tick();
    await finish(a, pa);
    const pc = turns.take(0, c.fn);
    await tick();
    expect(log).toEqual(['a', 'b']);
    await finish(b, pb);
    await tick();
    await finish(c, pc);
    expect(running.max).toBe(1);
  });

  it('a call that throws gives up its turn', async () => {
    const turns = new Turns();
    await expect(turns.take(0, () => Promise.reject(new Error('model failed')))).rejects.toThrow('model failed');
    expect(await turns.take(0, async () => 'next')).toBe('next');
  });

  it('anticipation: after a live call, a waiting batch call is held for the next live call, and runs when none comes', async () => {
    // Fake clocks: the window is measured in the test's time, not the machine's (a loaded CI host).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const turns = new Turns(40);
    const log: string[] = [];
    const running = { n: 0, max: 0 };
    const live1 = call(log, 'live1', running);
    const batch = call(log, 'batch', running);
    const live2 = call(log, 'live2', running);
    const pLive1 = turns.take(0, live1.fn);
    const pBatch = turns.take(100, batch.fn);
    await tick();
    await finish(live1, pLive1);
    await vi.advanceTimersByTimeAsync(10); // within the window: the batch call still waits
    expect(log).toEqual(['live1']);
    const pLive2 = turns.take(0, live2.fn); // the live call the turn was held for goes first
    await tick();
    expect(log).toEqual(['live1', 'live2']);
    await finish(live2, pLive2);
    await vi.advanceTimersByTimeAsync(39);
    expect(log).toEqual(['live1', 'live2']); // still inside the window after live2
    await vi.advanceTimersByTimeAsync(2); // no live call in the window: the batch call runs
    expect(log).toEqual(['live1', 'live2', 'batch']);
    await finish(batch, pBatch);
    expect(running.max).toBe(1);
  });
});
