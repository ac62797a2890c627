/**
 * Inputs the benchmark feeds the models: a QA pair cut to an exact token count with the model's own
 * tokenizer (DESIGN §8 uses 209 tokens), texts for the seq2seq models, a product photo, a rendered text
 * image for OCR and a short tone for Whisper. transformers.js is imported from the worker's own
 * dependency (the root package does not depend on it), so RawImage is the very class the pipelines see.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { REPO_ROOT } from '@ca/shared';

export const QA_QUESTION = 'Within how many days can a damaged item be returned for a refund?';

const POLICY = `Thank you for shopping with us. Items bought in our online store or in any of our shops can be
returned within 30 days of delivery for a full refund to the original payment method. Items that arrive
damaged or defective can be returned within 60 days, and we also pay the return shipping for them. To start
a return, open the order in your account, choose the item and the reason, and print the prepaid label.
Pack the item in its original box with all accessories, manuals and free gifts that came with it. Refunds
are issued within five business days after the warehouse receives and inspects the parcel. Gift cards,
perishable goods, personalised items and opened software cannot be returned unless they are faulty.
Large appliances are collected from your home by our delivery partner; please book a collection slot at
least two days in advance. If you paid with a card that has since expired, the bank will route the refund
to your new card automatically. Orders shipped outside the country can be returned within 45 days, but
customs duties are refunded only when the item is faulty. Our support team answers chat messages every
day from 8 am to 10 pm and emails within one business day. For warranty claims after the return window,
please contact the manufacturer directly with your order number and a photo of the defect. Exchanges for
a different size or colour are free of charge and ship as soon as the original item is scanned at the
post office. Refunds for items bought with a promotional discount are reduced by the discount amount.`
  .replace(/\s+/g, ' ')
  .trim();

/** The policy text repeated, whole sentences, to at most `chars` characters: a long context for QA. */
export function longContext(chars: number): string {
  const sentences = POLICY.split('. ').map((x) => `${x.replace(/\.$/, '')}.`);
  let out = sentences[0]!;
  for (let i = 1; out.length + 1 + sentences[i % sentences.length]!.length <= chars; i++) out += ` ${sentences[i % sentences.length]}`;
  return out;
}

export const SUMMARY_TEXT = POLICY.split('. ').slice(0, 8).join('. ') + '.';
export const TRANSLATE_TEXT = 'Your refund has been issued and should reach your card within five business days.';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tokenizer = any;

/** Pair length in tokens (with special tokens) as the QA pipeline feeds it. */
export function pairTokens(tok: Tokenizer, question: string, context: string): number {
  const enc = tok(question, { text_pair: context });
  return (enc.input_ids.dims as number[])[1]!;
}

/** The longest prefix (in words) of the policy text whose pair with `question` has at most `target` tokens. */
export function fitContext(tok: Tokenizer, target: number, question = QA_QUESTION): { context: string; tokens: number } {
  const words = POLICY.split(' ');
  let lo = 1;
  let hi = words.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (pairTokens(tok, question, words.slice(0, mid).join(' ')) <= target) lo = mid;
    else hi = mid - 1;
  }
  const context = words.slice(0, lo).join(' ');
  return { context, tokens: pairTokens(tok, question, context) };
}

interface Tf {
  RawImage: new (data: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number) => unknown;
  AutoTokenizer: { from_pretrained(id: string): Promise<Tokenizer> };
  env: { localModelPath: string; allowRemoteModels: boolean };
  pipeline(task: 'question-answering', model: string, opts: { dtype: string }): Promise<(q: string, c: string, o: { top_k: number }) => Promise<unknown>>;
}

let tf: Promise<Tf> | undefined;
/** @huggingface/transformers as the worker resolves it (same module instance as loader.ts). */
export function transformers(): Promise<Tf> {
  tf ??= (async () => {
    const req = createRequire(path.join(REPO_ROOT, 'apps/worker/package.json'));
    let pkgDir = path.dirname(req.resolve('@huggingface/transformers'));
    while (!existsSync(path.join(pkgDir, 'package.json'))) pkgDir = path.dirname(pkgDir);
    const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { exports: { node: { import: { default: string } } } };
    const entry = realpathSync(path.join(pkgDir, pkg.exports.node.import.default));
    return (await import(pathToFileURL(entry).href)) as Tf;
  })();
  return tf;
}

/** Raw RGB pixels of an encoded image (alpha composited on white). */
export async function rgb(buf: Buffer): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(buf).flatten({ background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** 640×200 PNG with three printed lines, for OCR. */
export function ocrImage(): Promise<Buffer> {
  const lines = ['Order 48213 arrived with a cracked screen.', 'Please refund 129.99 EUR to my card.', 'Return label: RL-7734-QX'];
  const body = lines.map((l, i) => `<text x="24" y="${52 + i * 56}" font-family="DejaVu Sans" font-size="28" fill="black">${l}</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="200"><rect width="100%" height="100%" fill="white"/>${body}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A receipt: 640 px wide, `n` printed lines of varied length (for OCR recognition batches). */
export function receiptImage(n = 16): Promise<Buffer> {
  const items = ['Phone case, black', 'USB-C cable 2 m', 'Screen protector', 'Wireless charger', 'Shipping', 'Gift wrap'];
  const lines = Array.from({ length: n }, (_, i) => (i === 0 ? 'RECEIPT 2026-11-30 #48213' : `${items[i % items.length]} x${(i % 3) + 1}  ${(7.5 * ((i % 5) + 1)).toFixed(2)} EUR`));
  const h = 40 + n * 44;
  const body = lines.map((l, i) => `<text x="24" y="${48 + i * 44}" font-family="DejaVu Sans" font-size="24" fill="black">${l}</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="${h}"><rect width="100%" height="100%" fill="white"/>${body}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A 224×224 product-like photo (grey box with a dark "crack"). */
export function productPhoto(size = 224): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <rect width="100%" height="100%" fill="white"/>
    <rect x="${size * 0.2}" y="${size * 0.2}" width="${size * 0.6}" height="${size * 0.6}" fill="#888" stroke="#333" stroke-width="4"/>
    <path d="M ${size * 0.25} ${size * 0.3} L ${size * 0.5} ${size * 0.55} L ${size * 0.45} ${size * 0.75}" stroke="black" stroke-width="3" fill="none"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** `seconds` of a 440 Hz tone at 16 kHz mono, as Whisper takes it. */
export function tone(seconds: number, sampleRate = 16_000): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < out.length; i++) out[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / sampleRate);
  return out;
}
