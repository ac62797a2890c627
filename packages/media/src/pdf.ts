import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { corruptMedia } from '@ca/shared';
import { decodeImage, type DecodedImage } from './image.js';
import { decodeTimeout, reasonOf, runTool } from './tool.js';

/**
 * PDF receipts and invoices, rendered by poppler (Debian's poppler-utils): `pdfinfo` counts the pages,
 * `pdftoppm` renders the first `maxPages` of them. Both read the PDF on stdin; pdftoppm writes PNGs
 * into a private temp directory of ours (it cannot put several pages on stdout). Every page is scaled
 * so its long side is `longSide` pixels, whatever size the page claims (a 200-inch MediaBox renders
 * no bigger than a letter page), and each run is killed after `timeoutMs`. Poppler does not run a
 * PDF's JavaScript, follow its links or fetch anything.
 */
export interface PdfOptions {
  maxPages: number;
  /** Pixels on each page's long side. */
  longSide: number;
  timeoutMs: number;
  maxPixels: number;
}

export interface RenderedPdf {
  pages: DecodedImage[];
  /** Pages in the file; only the first `pages.length` were rendered. */
  total: number;
}

const POPPLER = { install: 'poppler-utils', maxOutputBytes: 64 * 1024 };

export async function renderPdf(buf: Uint8Array, opts: PdfOptions): Promise<RenderedPdf> {
  const total = await pageCount(buf, opts.timeoutMs);
  const last = Math.min(total, opts.maxPages);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ca-pdf-'));
  try {
    const r = await runTool({
      ...POPPLER,
      cmd: 'pdftoppm',
      args: ['-f', '1', '-l', String(last), '-scale-to', String(opts.longSide), '-png', '-', path.join(dir, 'page')],
      stdin: buf,
      timeoutMs: opts.timeoutMs,
    });
    if (r.timedOut) throw decodeTimeout(opts.timeoutMs);
    if (r.code !== 0) throw corruptMedia('PDF pages cannot be rendered', { format: 'pdf', reason: reasonOf(r.stderr) });
    // page-1.png … page-9.png, or page-01.png … when there are ten or more: the number orders them.
    const files = (await readdir(dir)).filter((f) => f.endsWith('.png')).sort((a, b) => pageNo(a) - pageNo(b));
    if (files.length === 0) throw corruptMedia('PDF has no pages that render', { format: 'pdf' });
    const pages: DecodedImage[] = [];
    for (const f of files) {
      const png = await readFile(path.join(dir, f));
      pages.push(await decodeImage(png, { maxBytes: Infinity, maxPixels: opts.maxPixels }));
    }
    return { pages, total };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function pageCount(buf: Uint8Array, timeoutMs: number): Promise<number> {
  const r = await runTool({ ...POPPLER, cmd: 'pdfinfo', args: ['-'], stdin: buf, timeoutMs });
  if (r.timedOut) throw decodeTimeout(timeoutMs);
  const reason = reasonOf(r.stderr);
  if (r.code !== 0) {
    const encrypted = /password/i.test(r.stderr);
    throw corruptMedia(encrypted ? 'PDF is password-protected' : 'PDF cannot be read', { format: 'pdf', reason });
  }
  const pages = Number(r.stdout.toString('utf8').match(/^Pages:\s+(\d+)/m)?.[1] ?? 0);
  if (!pages) throw corruptMedia('PDF has no pages', { format: 'pdf' });
  return pages;
}

const pageNo = (file: string) => Number(file.match(/-(\d+)\.png$/)?.[1] ?? 0);
