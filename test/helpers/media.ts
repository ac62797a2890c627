/** Media made by the tests themselves: WAV files and images (sharp). */
import sharp from 'sharp';

export function wav(opts: { seconds: number; sampleRate?: number; freq?: number; channels?: number } ): Buffer {
  const sr = opts.sampleRate ?? 16_000;
  const ch = opts.channels ?? 1;
  const n = Math.round(opts.seconds * sr);
  const data = Buffer.alloc(n * ch * 2);
  for (let i = 0; i < n; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * (opts.freq ?? 440) * i) / sr) * 0.3 * 32767);
    for (let c = 0; c < ch; c++) data.writeInt16LE(v, (i * ch + c) * 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(ch, 22);
  h.writeUInt32LE(sr, 24);
  h.writeUInt32LE(sr * ch * 2, 28);
  h.writeUInt16LE(ch * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** A product-like photo: a grey box with a dark diagonal "crack" on white. */
export function productPhoto(format: 'png' | 'jpeg' | 'webp' = 'png', size = 256): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <rect width="100%" height="100%" fill="white"/>
    <rect x="${size * 0.2}" y="${size * 0.2}" width="${size * 0.6}" height="${size * 0.6}" fill="#888" stroke="#333" stroke-width="4"/>
    <path d="M ${size * 0.25} ${size * 0.3} L ${size * 0.5} ${size * 0.55} L ${size * 0.45} ${size * 0.75}" stroke="black" stroke-width="3" fill="none"/>
  </svg>`;
  return sharp(Buffer.from(svg))[format]().toBuffer();
}

/** Printed text on white, for OCR. */
export function textImage(lines: string[], opts: { width?: number; fontSize?: number } = {}): Promise<Buffer> {
  const fs = opts.fontSize ?? 28;
  const w = opts.width ?? 640;
  const h = Math.round(lines.length * fs * 1.8 + fs * 2);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const body = lines.map((l, i) => `<text x="${fs}" y="${Math.round(fs * 1.8 * (i + 1))}" font-family="DejaVu Sans" font-size="${fs}" fill="black">${esc(l)}</text>`).join('');
  return sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="white"/>${body}</svg>`)).png().toBuffer();
}

export function form(file: Buffer | undefined, name = 'upload.bin', fields: Record<string, string> = {}, fieldName = 'file'): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (file) f.append(fieldName, new Blob([new Uint8Array(file)]), name);
  return f;
}
