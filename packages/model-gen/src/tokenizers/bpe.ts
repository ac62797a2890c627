/**
 * Small byte-level BPE tokenizers (GPT-2 byte alphabet, so every string — Devanagari, CJK,
 * emoji — encodes without <unk>), trained deterministically on the built-in corpus.
 * Emits tokenizer.json in the Hugging Face `tokenizers` format read by @huggingface/tokenizers.
 */

/** GPT-2 bytes_to_unicode: byte -> printable char. */
export function byteAlphabet(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const map: string[] = new Array<string>(256);
  bs.forEach((b, i) => (map[b] = String.fromCharCode(cs[i]!)));
  return map;
}

const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const CLIP_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/gu;

function toByteChars(s: string, alphabet: string[]): string[] {
  return Array.from(new TextEncoder().encode(s), (b) => alphabet[b]!);
}

export interface BpeVocab {
  /** Token strings in id order, starting at `firstId`. */
  tokens: string[];
  merges: string[];
}

/**
 * Classic BPE training: repeatedly merge the most frequent adjacent pair. Ties are broken by the
 * pair string so the result never depends on Map iteration details.
 * @param eow CLIP-style end-of-word suffix appended to each word's last symbol.
 */
export function trainByteBpe(text: string, numMerges: number, clipStyle = false): BpeVocab {
  const alphabet = byteAlphabet();
  const words = new Map<string, number>();
  const src = clipStyle ? text.normalize('NFC').toLowerCase() : text;
  for (const w of src.match(clipStyle ? CLIP_SPLIT : GPT2_SPLIT) ?? []) words.set(w, (words.get(w) ?? 0) + 1);
  const seqs = [...words.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([w, count]) => {
      const sym = toByteChars(w, alphabet);
      if (clipStyle) sym[sym.length - 1] += '</w>';
      return { sym, count };
    });
  const base = [...alphabet];
  const tokens = clipStyle ? [...base, ...base.map((c) => c + '</w>')] : base;
  const known = new Set(tokens);
  const merges: string[] = [];
  for (let m = 0; m < numMerges; m++) {
    const counts = new Map<string, number>();
    for (const { sym, count } of seqs) {
      for (let i = 0; i + 1 < sym.length; i++) {
        const k = `${sym[i]} ${sym[i + 1]}`;
        counts.set(k, (counts.get(k) ?? 0) + count);
      }
    }
    let best = '';
    let bestCount = 1; // pairs seen once are not worth a merge
    for (const [k, c] of counts) if (c > bestCount || (c === bestCount && best && k < best)) [best, bestCount] = [k, c];
    if (!best) break;
    const [a, b] = best.split(' ') as [string, string];
    const merged = a + b;
    merges.push(best);
    if (!known.has(merged)) {
      known.add(merged);
      tokens.push(merged);
    }
    for (const s of seqs) {
      const out: string[] = [];
      for (let i = 0; i < s.sym.length; i++) {
        if (i + 1 < s.sym.length && s.sym[i] === a && s.sym[i + 1] === b) {
          out.push(merged);
          i++;
        } else out.push(s.sym[i]!);
      }
      s.sym = out;
    }
  }
  return { tokens, merges };
}

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  lstrip?: boolean;
}

export function addedTokensJson(tokens: AddedToken[]): object[] {
  return tokens.map((t) => ({
    id: t.id,
    content: t.content,
    single_word: false,
    lstrip: t.lstrip ?? false,
    rstrip: false,
    normalized: false,
    special: t.special,
  }));
}

/** vocab object from ordered specials-before + bpe tokens + specials-after. */
export function vocabObject(before: string[], bpe: string[], after: string[]): Record<string, number> {
  const vocab: Record<string, number> = {};
  [...before, ...bpe, ...after].forEach((t, i) => {
    if (!(t in vocab)) vocab[t] = i;
  });
  return vocab;
}

export function bpeModel(vocab: Record<string, number>, merges: string[], clipStyle = false, unk: string | null = null) {
  return {
    type: 'BPE',
    dropout: null,
    unk_token: unk,
    continuing_subword_prefix: '',
    end_of_word_suffix: clipStyle ? '</w>' : '',
    fuse_unk: false,
    byte_fallback: false,
    vocab,
    merges,
  };
}

export const BYTE_LEVEL_PRE = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
export const BYTE_LEVEL_DECODER = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true };

export const CLIP_NORMALIZER = {
  type: 'Sequence',
  normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
};
export const CLIP_PRE = {
  type: 'Sequence',
  pretokenizers: [
    {
      type: 'Split',
      pattern: {
        Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
      },
      behavior: 'Removed',
      invert: true,
    },
    BYTE_LEVEL_PRE,
  ],
};
