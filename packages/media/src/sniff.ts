import { fileTypeFromBuffer } from 'file-type';
import { unsupportedMedia, type UploadMedia } from '@ca/shared';
import { findFrameChain, hasId3v2 } from './mp3-frames.js';

/**
 * What an upload is, judged by its bytes only: the client's file name and Content-Type are never
 * consulted (they are trivially forged and often just wrong). The format found here is also what a
 * decoder is told the input is (FFmpeg gets it as `-f`), so no decoder ever guesses.
 */
export type MediaKind = UploadMedia;

/** Which decoder takes a format: in-process ones first, external tools only where npm has none. */
export type Decoder = 'sharp' | 'heic' | 'wav' | 'mp3' | 'vorbis' | 'opus' | 'flac' | 'ffmpeg' | 'pdf';

export interface SniffResult {
  kind: MediaKind;
  mime: string;
  ext: string;
  decoder: Decoder;
  /** FFmpeg's demuxer for this format (only for decoder 'ffmpeg'). */
  demuxer?: string;
}

interface Format {
  ext: string;
  mime: string;
  label: string;
  decoder: Decoder;
  demuxer?: string;
}

const IMAGES: readonly Format[] = [
  { ext: 'jpg', mime: 'image/jpeg', label: 'JPEG', decoder: 'sharp' },
  { ext: 'png', mime: 'image/png', label: 'PNG', decoder: 'sharp' },
  { ext: 'webp', mime: 'image/webp', label: 'WebP', decoder: 'sharp' },
  { ext: 'avif', mime: 'image/avif', label: 'AVIF', decoder: 'sharp' },
  { ext: 'heic', mime: 'image/heic', label: 'HEIC/HEIF (iPhone photos)', decoder: 'heic' },
];

/** file-type's ext → our format. Ogg Speex and FLAC-in-Ogg are reported as audio/ogg (ext spx/oga): refused. */
const AUDIO: readonly Format[] = [
  { ext: 'wav', mime: 'audio/wav', label: 'WAV (PCM 8–32-bit, float, μ-law, A-law)', decoder: 'wav' },
  { ext: 'mp3', mime: 'audio/mpeg', label: 'MP3', decoder: 'mp3' },
  { ext: 'ogg', mime: 'audio/ogg', label: 'Ogg Vorbis', decoder: 'vorbis' },
  { ext: 'opus', mime: 'audio/ogg; codecs=opus', label: 'Ogg Opus', decoder: 'opus' },
  { ext: 'flac', mime: 'audio/flac', label: 'FLAC', decoder: 'flac' },
  // FFmpeg: no maintained JavaScript decoder covers AAC, AMR or the WebM and MP4 containers.
  { ext: 'm4a', mime: 'audio/mp4', label: 'M4A/AAC (iPhone voice memos, Safari recordings)', decoder: 'ffmpeg', demuxer: 'mov' },
  { ext: 'mp4', mime: 'video/mp4', label: 'MP4 video (its audio track)', decoder: 'ffmpeg', demuxer: 'mov' },
  { ext: 'mov', mime: 'video/quicktime', label: 'MOV video (its audio track)', decoder: 'ffmpeg', demuxer: 'mov' },
  { ext: '3gp', mime: 'audio/3gpp', label: '3GP (AMR or AAC)', decoder: 'ffmpeg', demuxer: 'mov' },
  { ext: 'webm', mime: 'audio/webm', label: 'WebM/Opus (Chrome and Firefox recordings)', decoder: 'ffmpeg', demuxer: 'matroska' },
  { ext: 'aac', mime: 'audio/aac', label: 'AAC (ADTS)', decoder: 'ffmpeg', demuxer: 'aac' },
  { ext: 'amr', mime: 'audio/amr', label: 'AMR-NB/WB', decoder: 'ffmpeg', demuxer: 'amr' },
];

const PDF: Format = { ext: 'pdf', mime: 'application/pdf', label: 'PDF (first pages)', decoder: 'pdf' };

const FORMATS: Readonly<Record<MediaKind, readonly Format[]>> = { image: IMAGES, audio: AUDIO, document: [...IMAGES, PDF] };

/** Only formats this package can actually decode are listed: MIME types, for OpenAPI's encoding. */
export const ACCEPTED: Readonly<Record<MediaKind, readonly string[]>> = mapKinds((fs) => fs.map((f) => f.mime));
/** The same list in words, for people (README, OpenAPI descriptions). */
export const ACCEPTED_LABELS: Readonly<Record<MediaKind, readonly string[]>> = mapKinds((fs) => fs.map((f) => f.label));

function mapKinds<T>(fn: (fs: readonly Format[]) => T): Record<MediaKind, T> {
  return { image: fn(FORMATS.image), audio: fn(FORMATS.audio), document: fn(FORMATS.document) };
}

/** file-type names some formats differently from how we list them (e.g. m4a as audio/x-m4a, ext of a 3g2). */
const EXT_ALIASES: Readonly<Record<string, string>> = { '3g2': '3gp', mka: 'webm', mkv: 'webm' };

const MP3 = AUDIO.find((f) => f.ext === 'mp3')!;

export async function sniffMedia(buf: Uint8Array, accept: MediaKind): Promise<SniffResult> {
  const ft = buf.length > 0 ? await fileTypeFromBuffer(buf) : undefined;
  if (accept === 'audio') {
    const mp3 = sniffMp3(buf, ft?.ext);
    if (mp3) return found(mp3, accept);
    if (ft?.ext === 'mp3') throw refused(null, accept); // a stray 0xFFE sync, not a chain of frames
  }
  const ext = ft ? (EXT_ALIASES[ft.ext] ?? ft.ext) : undefined;
  // Ogg: file-type's MIME tells Vorbis (audio/ogg) from Opus; other Ogg codecs share an ext, so both must match.
  const format = FORMATS[accept].find((f) => f.ext === ext && (f.decoder !== 'vorbis' || ft?.mime === 'audio/ogg'));
  if (format) return found(format, accept);
  throw refused(ft?.mime ?? null, accept);
}

const found = (f: Format, kind: MediaKind): SniffResult => ({
  kind,
  mime: f.mime,
  ext: f.ext,
  decoder: f.decoder,
  ...(f.demuxer ? { demuxer: f.demuxer } : {}),
});

/**
 * file-type calls anything starting with an 11-bit sync "mp3", and misses MP3s that start with a few
 * junk bytes. We require a chain of valid Layer III frames instead; an ID3v2 tag alone is also taken
 * as a claim to be MP3 (if no frames follow, decoding reports it corrupt rather than unsupported).
 */
function sniffMp3(buf: Uint8Array, ftExt: string | undefined): Format | undefined {
  if (ftExt !== undefined && ftExt !== 'mp3') return undefined;
  if (hasId3v2(buf)) return MP3;
  return findFrameChain(buf, 0, 4096) >= 0 ? MP3 : undefined;
}

function refused(detected: string | null, accept: MediaKind) {
  return unsupportedMedia(`Unsupported ${accept} format${detected ? ` (${detected})` : ''}`, {
    detected,
    accepted: [...ACCEPTED[accept]],
  });
}
