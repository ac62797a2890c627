import { tooLarge, type Config } from '@ca/shared';
import { decodeAudio, probeAudio, type DecodedAudio } from './audio.js';
import { decodeImage, probeImage, type DecodedImage } from './image.js';
import { renderPdf } from './pdf.js';
import { sniffMedia, type MediaKind, type SniffResult } from './sniff.js';

/**
 * One entry point per side for every upload kind: the API probes (type, size, dimensions or duration
 * from headers, no decoding), the worker decodes. Which limits apply to which kind is decided here.
 */
type Limits = Pick<Config, 'MAX_IMAGE_BYTES' | 'MAX_IMAGE_PIXELS' | 'MAX_AUDIO_BYTES' | 'MAX_AUDIO_SECONDS' | 'MAX_PDF_PAGES' | 'DECODE_TIMEOUT_MS'>;

/** The byte limit of an upload of this kind (documents share the image limit). */
export const maxUploadBytes = (kind: MediaKind, cfg: Pick<Config, 'MAX_IMAGE_BYTES' | 'MAX_AUDIO_BYTES'>): number =>
  kind === 'audio' ? cfg.MAX_AUDIO_BYTES : cfg.MAX_IMAGE_BYTES;

/** A rendered PDF's long side: enough for OCR of receipt print, bounded whatever size the page claims. */
const PDF_LONG_SIDE = 2000;

export interface DecodedUpload {
  image?: DecodedImage;
  audio?: DecodedAudio;
  /** A document: an image is one page; a PDF its first MAX_PDF_PAGES pages, `total` the pages it has. */
  document?: { pages: DecodedImage[]; total: number };
}

export async function probeUpload(kind: MediaKind, bytes: Uint8Array, cfg: Limits): Promise<SniffResult> {
  const maxBytes = maxUploadBytes(kind, cfg);
  if (kind === 'audio') return probeAudio(bytes, { maxBytes, maxSeconds: cfg.MAX_AUDIO_SECONDS });
  const type = await sniffMedia(bytes, kind);
  if (type.decoder !== 'pdf') return probeImage(bytes, { maxBytes, maxPixels: cfg.MAX_IMAGE_PIXELS });
  // A PDF's pages are counted and rendered by the worker (poppler); the API checks its type and size.
  checkPdfBytes(bytes, maxBytes);
  return type;
}

function checkPdfBytes(bytes: Uint8Array, maxBytes: number): void {
  if (bytes.length > maxBytes) throw tooLarge('file_too_large', 'The PDF is over the size limit', { limit_bytes: maxBytes, bytes: bytes.length });
}

export async function decodeUpload(kind: MediaKind, bytes: Uint8Array, cfg: Limits): Promise<DecodedUpload> {
  const maxBytes = maxUploadBytes(kind, cfg);
  const timeoutMs = cfg.DECODE_TIMEOUT_MS;
  if (kind === 'audio') return { audio: await decodeAudio(bytes, { maxBytes, maxSeconds: cfg.MAX_AUDIO_SECONDS, timeoutMs }) };
  const image = { maxBytes, maxPixels: cfg.MAX_IMAGE_PIXELS };
  if (kind === 'image') return { image: await decodeImage(bytes, image) };
  // Not probeUpload: decodeImage probes the image itself, and a PDF needs only its size checked.
  const type = await sniffMedia(bytes, kind);
  if (type.decoder !== 'pdf') return { document: { pages: [await decodeImage(bytes, image)], total: 1 } };
  checkPdfBytes(bytes, maxBytes);
  const longSide = Math.min(PDF_LONG_SIDE, Math.floor(Math.sqrt(cfg.MAX_IMAGE_PIXELS)));
  return { document: await renderPdf(bytes, { maxPages: cfg.MAX_PDF_PAGES, longSide, timeoutMs, maxPixels: cfg.MAX_IMAGE_PIXELS }) };
}
