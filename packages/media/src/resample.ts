/**
 * Band-limited resampling with a Blackman-windowed sinc. Downsampling 44.1/48 kHz speech to 16 kHz by
 * plain interpolation would fold everything above 8 kHz back into the band the ASR model listens to;
 * the low-pass here sits just under the lower Nyquist rate, so that energy is removed instead.
 *
 * The kernel is precomputed for PHASES fractional positions (exact when the rate ratio has at most
 * that many phases, nearest-phase otherwise: a timing error under 1/1000 of a sample).
 */

const ZERO_CROSSINGS = 10; // per side, in units of the cutoff: ~ -70 dB stopband with Blackman
const MAX_PHASES = 1024;
const ROLLOFF = 0.92; // cutoff as a fraction of the lower Nyquist rate, leaves room for the transition band

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export function resample(input: Float32Array, from: number, to: number): Float32Array {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from <= 0 || to <= 0) {
    throw new RangeError(`bad sample rates ${from} -> ${to}`);
  }
  if (from === to) return input;
  const g = gcd(from, to);
  const up = to / g; // output sample n sits at input position n * down / up
  const down = from / g;
  const outLen = Math.floor((input.length * up) / down);
  // Cutoff in cycles per input sample; below the output's Nyquist when downsampling.
  const fc = 0.5 * Math.min(1, to / from) * ROLLOFF;
  const half = Math.ceil(ZERO_CROSSINGS / (2 * fc));
  const taps = 2 * half;
  const phases = Math.min(up, MAX_PHASES);
  const table = kernelTable(fc, half, taps, phases);
  const out = new Float32Array(outLen);
  const n = input.length;
  for (let i = 0; i < outLen; i++) {
    const num = i * down; // stays well below 2^53 for any input we accept
    const base = Math.floor(num / up);
    const phase = Math.floor(((num - base * up) * phases) / up);
    const row = phase * taps;
    const start = base - half + 1;
    let acc = 0;
    if (start >= 0 && start + taps <= n) {
      for (let k = 0; k < taps; k++) acc += input[start + k]! * table[row + k]!;
    } else {
      // Edges: samples outside the signal count as silence.
      for (let k = 0; k < taps; k++) {
        const j = start + k;
        if (j >= 0 && j < n) acc += input[j]! * table[row + k]!;
      }
    }
    out[i] = acc;
  }
  return out;
}

function kernelTable(fc: number, half: number, taps: number, phases: number): Float32Array {
  const table = new Float32Array(phases * taps);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const t = k - half + 1 - frac; // distance from the output position, in input samples
      const x = 2 * fc * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = blackman(t / half);
      const v = 2 * fc * sinc * w;
      table[p * taps + k] = v;
      sum += v;
    }
    // Unit DC gain for every phase, so a constant signal stays constant.
    for (let k = 0; k < taps; k++) table[p * taps + k]! /= sum;
  }
  return table;
}

/** Blackman window on [-1, 1], zero outside. */
function blackman(u: number): number {
  if (u <= -1 || u >= 1) return 0;
  const x = Math.PI * (u + 1); // 0..2pi
  return 0.42 - 0.5 * Math.cos(x) + 0.08 * Math.cos(2 * x);
}
