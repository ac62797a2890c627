import type { Handler } from './types.js';
import { timed } from './timing.js';

export const extractText: Handler<'extract-text'> = async (_input, media, ctx) => {
  const m = ctx.models.get('ocr');
  const img = media.image!;
  const t0 = performance.now();
  const out = await timed(ctx, m, () => m.ocr!.recognize({ data: img.data, width: img.width, height: img.height }), (r) => ({
    tokensOut: r.lines.reduce((n, l) => n + l.text.length, 0),
    ...(r.lines.length ? { confidence: r.lines.reduce((s, l) => s + l.confidence, 0) / r.lines.length } : {}),
  }));
  return { text: out.text, lines: out.lines, duration_ms: Math.round(performance.now() - t0) };
};
