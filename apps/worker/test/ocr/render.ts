import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RgbImage } from '../../src/ocr/types.js';

// sharp is a dependency of packages/media, not of the worker; resolve it from there
// (test-only) rather than adding a second native image library to the worker.
const requireFromMedia = createRequire(new URL('../../../../packages/media/package.json', import.meta.url));
const sharp = requireFromMedia('sharp') as SharpFactory;

// The few sharp calls used here, typed locally because sharp's types don't resolve from this package.
interface SharpChain {
  removeAlpha(): SharpChain;
  rotate(angle: number, opts?: { background: string }): SharpChain;
  raw(): SharpChain;
  png(): SharpChain;
  toFile(file: string): Promise<unknown>;
  toBuffer(opts: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
}
type SharpFactory = (input: Buffer, opts?: { raw: { width: number; height: number; channels: 3 } }) => SharpChain;

export const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
export const FONT_FILE = `${FONT_DIR}/DejaVuSans.ttf`;

/** The rendered text must use DejaVu Sans; a fallback font would make the CER numbers meaningless. */
export function assertFontPresent(): void {
  if (!existsSync(FONT_FILE)) {
    throw new Error(`OCR tests need the DejaVu Sans font at ${FONT_FILE}: install it with "apt-get install -y fonts-dejavu-core"`);
  }
}

export interface TextItem {
  text: string;
  x: number;
  y: number;
  size?: number;
  fill?: string;
  anchor?: 'start' | 'end';
  weight?: 'normal' | 'bold';
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function svgDoc(width: number, height: number, items: TextItem[], background = '#ffffff'): string {
  const texts = items
    .map(
      (t) =>
        `<text x="${t.x}" y="${t.y}" font-family="DejaVu Sans" font-size="${t.size ?? 20}" fill="${t.fill ?? '#000'}"` +
        ` text-anchor="${t.anchor ?? 'start'}" font-weight="${t.weight ?? 'normal'}">${escapeXml(t.text)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${background}"/>${texts}</svg>`;
}

/** Renders SVG to raw interleaved RGB, optionally rotated clockwise (white fills the corners). */
export async function renderSvg(svg: string, rotate = 0): Promise<RgbImage> {
  let img = sharp(Buffer.from(svg)).removeAlpha();
  if (rotate) img = img.rotate(rotate, { background: '#ffffff' });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

export async function savePng(img: RgbImage, file: string): Promise<void> {
  await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toFile(file);
}
