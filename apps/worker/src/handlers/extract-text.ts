import type { Handler } from './types.js';
import { timed } from './timing.js';

/** OCR of a photo (one page) or of a PDF's first pages, page after page; each line says its page. */
export const extractText: Handler<'extract-text'> = async (_input, media, ctx) => {
  const m = ctx.models.get('ocr');
  const doc = media.document!;
  const t0 = performance.now();
  const lines: { text: string; confidence: number; box: [number, number, number, number]; page: number }[] = [];
  const texts: string[] = [];
  for (const [i, img] of doc.pages.entries()) {
    ctx.checkCancelled();
    const out = await timed(ctx, m, () => m.ocr!.recognize({ data: img.data, width: img.width, height: img.height }), (r) => ({
      tokensOut: r.lines.reduce((n, l) => n + l.text.length, 0),
      ...(r.lines.length ? { confidence: r.lines.reduce((s, l) => s + l.confidence, 0) / r.lines.length } : {}),
    }));
    for (const l of out.lines) lines.push({ ...l, page: i + 1 });
    texts.push(out.text);
    if (doc.pages.length > 1) ctx.progress(i + 1, doc.pages.length, 'pages');
  }
  const pages = doc.total > 1 || doc.pages.length > 1 ? { pages: { read: doc.pages.length, total: doc.total } } : {};
  return { text: texts.join('\n\n'), lines, ...pages, duration_ms: Math.round(performance.now() - t0) };
};
