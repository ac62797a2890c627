/**
 * Measures load + one inference per model through the real pipelines.
 * usage: tsx packages/model-gen/scripts/measure.ts <modelRoot> [dtype=q8] [ids...]
 * (ids default to all known ones; models missing under <modelRoot> fail to load)
 */
import { env, pipeline, RawImage } from '@huggingface/transformers';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TINY_MODEL_IDS } from '../src/index.js';

const [root = 'models/tiny', dtype = 'q8', ...only] = process.argv.slice(2);
env.localModelPath = root;
env.allowRemoteModels = false;
const context = 'The customer called about a damaged package that arrived yesterday. '.repeat(20);
const audio = new Float32Array(16000).map((_, i) => Math.sin(i / 10) * 0.3);
const image = new RawImage(new Uint8ClampedArray(64 * 48 * 3).map((_, i) => (i * 37) % 256), 64, 48, 3);
const labels = ['a photo of a cracked item', 'a photo of a scratched item', 'a photo of a dented item', 'a photo of a torn item', 'a photo of an intact item'];

const runs: Record<string, [string, (p: any) => Promise<unknown>]> = {
  [TINY_MODEL_IDS.qa]: ['question-answering', (p) => p('What arrived?', context)],
  [TINY_MODEL_IDS.summarizer]: ['summarization', (p) => p(context, { max_new_tokens: 60 })],
  [TINY_MODEL_IDS.translator]: ['translation', (p) => p('मेरा पैकेट टूटा हुआ आया है।', { src_lang: 'hi', tgt_lang: 'en' })],
  [TINY_MODEL_IDS.clip]: ['zero-shot-image-classification', (p) => p(image, labels)],
  [TINY_MODEL_IDS.vit]: ['image-classification', (p) => p(image)],
  [TINY_MODEL_IDS.whisper]: ['automatic-speech-recognition', (p) => p(audio, { language: 'hindi', task: 'transcribe' })],
};
// Real-shape ids (models/real-shape)
runs['Xenova/distilbert-base-cased-distilled-squad'] = runs[TINY_MODEL_IDS.qa]!;
runs['Xenova/distilbart-cnn-6-6'] = runs[TINY_MODEL_IDS.summarizer]!;
runs['Xenova/clip-vit-base-patch32'] = runs[TINY_MODEL_IDS.clip]!;
runs['Xenova/whisper-tiny'] = runs[TINY_MODEL_IDS.whisper]!;
runs['Xenova/whisper-base'] = runs[TINY_MODEL_IDS.whisper]!;
for (const [id, [task, run]] of Object.entries(runs)) {
  if (only.length ? !only.includes(id) : !existsSync(join(root, id))) continue;
  let t = performance.now();
  const p = await pipeline(task as any, id, { dtype: dtype as any });
  const load = performance.now() - t;
  await run(p); // warm-up
  t = performance.now();
  const out = await run(p);
  console.log(`${id} ${dtype}: load ${load.toFixed(0)} ms, inference ${(performance.now() - t).toFixed(0)} ms`, JSON.stringify(out).slice(0, 120));
}
