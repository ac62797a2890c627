import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createOpsMetrics } from '../../src/services/ops/metrics.js';

describe('createOpsMetrics', () => {
  it('exposes the cache, rate-limit and queue families with HELP and TYPE', async () => {
    const registry = new Registry();
    const m = createOpsMetrics(registry, {
      getCounts: async () => ({ nlp: { waiting: 3, active: 1 }, vision: { waiting: 0, failed: 2 }, 'nlp-batch': { prioritized: 500 } }),
    });
    m.cacheRequests.inc({ task: 'summarize-text', result: 'hit' });
    m.cacheRequests.inc({ task: 'summarize-text', result: 'miss' }, 2);
    m.rateLimitRejections.inc({ scope: 'client' });

    const text = await registry.metrics();
    for (const [name, type] of [
      ['ca_cache_requests_total', 'counter'],
      ['ca_rate_limit_rejections_total', 'counter'],
      ['ca_queue_jobs', 'gauge'],
    ]) {
      expect(text).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
      expect(text).toContain(`# TYPE ${name} ${type}`);
    }
    expect(text).toContain('ca_cache_requests_total{task="summarize-text",result="hit"} 1');
    expect(text).toContain('ca_cache_requests_total{task="summarize-text",result="miss"} 2');
    expect(text).toContain('ca_rate_limit_rejections_total{scope="client"} 1');
    expect(text).toContain('ca_rate_limit_rejections_total{scope="global"} 0');
    expect(text).toContain('ca_queue_jobs{domain="nlp",lane="live",state="waiting"} 3');
    expect(text).toContain('ca_queue_jobs{domain="nlp",lane="live",state="active"} 1');
    expect(text).toContain('ca_queue_jobs{domain="vision",lane="live",state="failed"} 2');
    expect(text).toContain('ca_queue_jobs{domain="nlp",lane="batch",state="prioritized"} 500');
    expect(text).toContain('ca_queue_jobs_scrape_success 1');
  });

  it('reads queue counts at every scrape and survives a failing reader', async () => {
    const registry = new Registry();
    let calls = 0;
    createOpsMetrics(registry, {
      getCounts: async () => {
        calls++;
        if (calls === 2) throw new Error('redis down');
        return { audio: { waiting: calls } };
      },
    });
    expect(await registry.metrics()).toContain('ca_queue_jobs{domain="audio",lane="live",state="waiting"} 1');
    const failed = await registry.metrics();
    expect(failed).not.toContain('ca_queue_jobs{'); // no stale values after a failed read
    expect(failed).toContain('ca_queue_jobs_scrape_success 0');
    expect(await registry.metrics()).toContain('ca_queue_jobs{domain="audio",lane="live",state="waiting"} 3');
  });

  it('gives up on a reader that never answers', async () => {
    const registry = new Registry();
    createOpsMetrics(registry, { getCounts: () => new Promise(() => undefined), countsTimeoutMs: 50 });
    expect(await registry.metrics()).toContain('ca_queue_jobs_scrape_success 0');
  });
});
