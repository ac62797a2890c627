/**
 * Logit steering for random-weight generators. Random LM heads give near-uniform logits, so
 * greedy decoding would happily pick special, timestamp or half-UTF-8 byte tokens. A static bias
 * (baked into the decoder graph) keeps the output readable: specials -100, tokens that are not
 * whole printable UTF-8 -100, whole-word tokens (" refund", " मेरा") +3.
 */
import { byteAlphabet } from './bpe.js';

const UNBYTE = new Map(byteAlphabet().map((c, i) => [c, i]));
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Byte-level token -> text, or null when its bytes are not valid UTF-8 on their own. */
export function decodeByteToken(token: string): string | null {
  const bytes: number[] = [];
  for (const c of token) {
    const b = UNBYTE.get(c);
    if (b === undefined) return null; // not a byte-level token (e.g. an added special)
    bytes.push(b);
  }
  try {
    return STRICT_UTF8.decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
}

/**
 * @param vocabSize logits width
 * @param specialIds ids to push down (EOS included: the graph re-enables it late, see eosAfter)
 * @param vocab byte-level BPE vocab (token -> id); ids not in it keep bias 0 unless special
 */
export function steeringBias(vocabSize: number, specialIds: number[], vocab: Record<string, number>): Float32Array {
  const b = new Float32Array(vocabSize);
  for (const [token, id] of Object.entries(vocab)) {
    if (id >= vocabSize) continue;
    const text = decodeByteToken(token);
    if (text === null || /[\u0000-\u001f\u007f-\u009f]/.test(text)) b[id] = -100;
    else if (/^ [\p{L}\p{M}]{2,}$/u.test(text)) b[id] = 3;
  }
  for (const id of specialIds) if (id < vocabSize) b[id] = -100;
  return b;
}
