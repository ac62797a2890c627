import { tooLarge } from '@ca/shared';

/** 413s for audio, in one place so probe and decode word them the same. Seconds are rounded to ms. */
export const audioTooLong = (limitSeconds: number, seconds: number) =>
  tooLarge('audio_too_long', 'Audio is longer than the limit', {
    limit_seconds: limitSeconds,
    seconds: Math.round(seconds * 1000) / 1000,
  });

export const audioTooLarge = (limitBytes: number, bytes: number) =>
  tooLarge('audio_too_large', 'Audio is over the size limit', { limit_bytes: limitBytes, bytes });
