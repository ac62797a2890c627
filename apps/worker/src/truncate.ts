/** Fields that carry model-written text, cut at MAX_RESPONSE_CHARS. */
export const TEXT_FIELDS = ['answer', 'summary', 'translation', 'transcription', 'text'] as const;

export function truncateTextFields<T>(value: T, max: number): { value: T; truncated: boolean } {
  if (!value || typeof value !== 'object') return { value, truncated: false };
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  let truncated = false;
  for (const f of TEXT_FIELDS) {
    const v = out[f];
    if (typeof v === 'string' && v.length > max) {
      out[f] = v.slice(0, max);
      truncated = true;
    }
  }
  if (truncated) out.truncated = true;
  return { value: out as T, truncated };
}
