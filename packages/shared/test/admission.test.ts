/**
 * Admission's stale reservations: one whose job is already in the queue (its submitter died between the
 * add and done()) must not count twice when it would refuse a submit, and one past its expiry not at all.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Admission } from '../src/admission.js';
import { connect, obliterate } from '../../../test/helpers/redis.js';

const PREFIX = '{t-admission}';
const redis = connect();
const queue = new Queue('nlp', { connection: redis, prefix: PREFIX });
afterAll(async () => {
  await queue.close();
  await obliterate(redis, PREFIX);
  redis.disconnect();
});

describe('Admission', () => {
  it('drops the reservation of a job already added only when it would refuse, then admits; still refuses at the limit', async () => {
    const admission = new Admission(redis, PREFIX);
    // Job a is admitted and added, but its submitter never calls done(): it counts in the list and as a reservation.
    expect(await admission.admit(queue, 2, 'a')).toBe(true);
    await queue.add('t', {}, { jobId: 'a' });
    expect(await redis.zcard(`${PREFIX}:admission:nlp`)).toBe(1);
    // 1 waiting + 1 reservation = the limit of 2: the look finds a's job, drops its reservation, admits b.
    expect(await admission.admit(queue, 2, 'b')).toBe(true);
    expect(await redis.zrange(`${PREFIX}:admission:nlp`, 0, -1)).toEqual(['b']);
    // 1 waiting + b's reservation: full, and nothing stale to drop.
    expect(await admission.admit(queue, 2, 'c')).toBe(false);
    await admission.done(queue, 'b');
    expect(await admission.admit(queue, 2, 'c')).toBe(true);
  });

  it('does not count an expired reservation', async () => {
    const admission = new Admission(redis, PREFIX);
    await queue.obliterate({ force: true });
    await redis.del(`${PREFIX}:admission:nlp`);
    // A reservation whose submitter died 31 s ago (score = its expiry).
    await redis.zadd(`${PREFIX}:admission:nlp`, Date.now() - 1000, 'dead');
    expect(await admission.admit(queue, 1, 'x')).toBe(true);
    expect(await redis.zrange(`${PREFIX}:admission:nlp`, 0, -1)).toEqual(['x']);
  });
});
