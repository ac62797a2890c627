/** Levenshtein distance over code points (two-row DP). */
export function editDistance(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[t.length]!;
}

const squash = (s: string) => s.replace(/\s+/g, '');

/** Errors and reference length with whitespace ignored (the rec model often drops spaces). */
export function cerCounts(hyp: string, ref: string): { errors: number; length: number } {
  const r = squash(ref);
  return { errors: editDistance(squash(hyp), r), length: r.length };
}
