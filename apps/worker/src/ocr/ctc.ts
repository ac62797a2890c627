/**
 * Builds the class table for the rec model's CTC head: index 0 is the blank, then the
 * dictionary lines, then ' ' (PaddleOCR's use_space_char=True appends it last).
 */
export function buildCharset(dictText: string): string[] {
  const lines = dictText.split(/\r?\n/);
  // A trailing newline would otherwise add an empty class and shift the space character.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return ['', ...lines, ' '];
}

export interface Decoded {
  text: string;
  confidence: number;
}

/**
 * Greedy CTC decode of one batch item: argmax per timestep, collapse repeats, drop blanks.
 * Confidence is the mean max-probability of the kept characters (Paddle's definition).
 */
export function ctcGreedy(probs: Float32Array, item: number, steps: number, classes: number, charset: readonly string[]): Decoded {
  let text = '';
  let confSum = 0;
  let kept = 0;
  let prev = -1;
  const base = item * steps * classes;
  for (let t = 0; t < steps; t++) {
    const row = base + t * classes;
    let best = 0;
    let bestP = probs[row]!;
    // Rows are softmax outputs: once the unseen mass is below the best so far, nothing
    // can beat it. Blank-dominated steps (most of them) stop after one read.
    let seen = bestP;
    for (let c = 1; c < classes && 1 - seen >= bestP; c++) {
      const v = probs[row + c]!;
      seen += v;
      if (v > bestP) {
        bestP = v;
        best = c;
      }
    }
    if (best !== 0 && best !== prev) {
      text += charset[best] ?? '';
      confSum += bestP;
      kept++;
    }
    prev = best;
  }
  return { text, confidence: kept ? confSum / kept : 0 };
}

/**
 * The Chinese model often emits full-width forms of ASCII (e.g. '：', '（', '１');
 * fold them (U+FF01..U+FF5E, ideographic space) to ASCII so numbers and codes compare cleanly.
 */
export function toHalfWidth(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
    else out += ch;
  }
  return out;
}
