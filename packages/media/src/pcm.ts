/**
 * Samples as the models take them: in [-1, 1], never NaN. Decoders overshoot full scale slightly (MP3
 * clipping), and hostile streams decode to NaN, Infinity or far outside the range.
 */
export const clampSample = (v: number): number => (v > 1 ? 1 : v < -1 ? -1 : v === v ? v : 0);

export function clampInPlace(x: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = clampSample(x[i]!);
  return x;
}
