/**
 * BullMQ builds each queue once (a Redis version check) and keeps a failed build forever. A stall while
 * the API builds its queues (Redis paused, or the API's event loop blocked, past the 2 s command
 * deadline) must not leave them failed: the API would answer redis_unavailable to every request from
 * then on. A pause is the stall that can be made on cue (a blocked loop wedged it only when the replies
 * were still unread as the block began).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis, JobClient, loadConfig, waitReady } from '@ca/shared';
import { testEnv } from '../../../test/helpers/env.js';
import { connect, obliterate } from '../../../test/helpers/redis.js';

const env = testEnv('{t-startup}');
const admin = connect();
afterAll(async () => {
  await obliterate(admin, '{t-startup}');
  admin.disconnect();
});

async function connected() {
  const redis = createRedis(env.REDIS_URL!, { name: 'ca-test-startup' });
  await waitReady(redis);
  return redis;
}

describe('JobClient built during a stall', () => {
  it('Redis paused for 3 s as the queues are built: they answer once it is back', async () => {
    const redis = await connected();
    await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
    const jobs = new JobClient(loadConfig(env), redis);
    await new Promise((r) => setTimeout(r, 3_200));
    await expect(jobs.queues.vision.getJobCounts('waiting')).resolves.toMatchObject({ waiting: 0 });
    await jobs.close();
    redis.disconnect();
  });
});
