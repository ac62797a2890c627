/** Shared pipeline inputs for the model-gen tests. */
import { RawImage } from '@huggingface/transformers';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const CONTEXT =
  'The customer ordered a blue kettle on Monday. It arrived broken on Friday, so she asked for a refund. Refunds take five business days.';
export const QUESTION = 'When did the kettle arrive?';
export const LONG_TEXT =
  'The customer called about a damaged package that arrived yesterday. The box was torn and the item inside was cracked. She asked for a refund or a replacement, and the agent explained the return policy.';
export const HINDI_TEXT = 'मेरा पैकेट टूटा हुआ आया है। कृपया मुझे पैसे वापस कर दीजिए।';
export const CLIP_LABELS = [
  'a photo of a cracked item',
  'a photo of a scratched item',
  'a photo of a dented item',
  'a photo of a torn item',
  'a photo of an intact item',
];

/** 1 s of 16 kHz audio: a chirp plus deterministic noise. */
export function audio1s(): Float32Array {
  const a = new Float32Array(16000);
  let s = 1;
  for (let i = 0; i < a.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = 0.3 * Math.sin((i * i) / 40000) + 0.05 * (s / 2147483648 - 0.5);
  }
  return a;
}

/** A small RGB test image (the processors resize/crop it to 224). */
export function testImage(): RawImage {
  const w = 80;
  const h = 60;
  const data = new Uint8ClampedArray(w * h * 3).map((_, i) => (i * 37 + (i % 7) * 11) % 256);
  return new RawImage(data, w, h, 3);
}

/** sha256 of every file under dir, keyed by relative path. */
export function treeHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}
