import { fileTypeFromBuffer } from 'file-type';
import { unsupportedMedia } from '@ca/shared';
import { findFrameChain, hasId3v2 } from './mp3-frames.js';

/**
 * What an upload is, judged by its bytes only: the client's file name and Content-Type are never
 * consulted (they are trivially forged and often just wrong).
 */
export type MediaKind = 'image' | 'audio';

export interface SniffResult {
  kind: MediaKind;
  mime: string;
  ext: string;
}

/** Only formats this package can actually decode are listed. */
export const ACCEPTED: Readonly<Record<MediaKind, readonly string[]>> = {
  image: ['image/jpeg', 'image/png', 'image/webp'],
  audio: ['audio/wav', 'audio/mpeg', 'audio/ogg', 'audio/ogg; codecs=opus'],
};

// file-type also reports audio/ogg for Speex and FLAC-in-Ogg (ext spx/oga); only Vorbis is 'ogg'.
const ACCEPTED_EXT: Readonly<Record<MediaKind, readonly string[]>> = {
  image: ['jpg', 'png', 'webp'],
  audio: ['wav', 'mp3', 'ogg', 'opus'],
};

const MP3: SniffResult = { kind: 'audio', mime: 'audio/mpeg', ext: 'mp3' };

export async function sniffMedia(buf: Uint8Array, accept: MediaKind): Promise<SniffResult> {
  const ft = buf.length > 0 ? await fileTypeFromBuffer(buf) : undefined;
  if (accept === 'audio') {
    const mp3 = sniffMp3(buf, ft?.ext);
    if (mp3) return mp3;
    if (ft?.ext === 'mp3') throw refused(null, accept); // a stray 0xFFE sync, not a chain of frames
  }
  if (ft && ACCEPTED_EXT[accept].includes(ft.ext) && ACCEPTED[accept].includes(ft.mime)) {
    return { kind: accept, mime: ft.mime, ext: ft.ext };
  }
  throw refused(ft?.mime ?? null, accept);
}

/**
 * file-type calls anything starting with an 11-bit sync "mp3", and misses MP3s that start with a few
 * junk bytes. We require a chain of valid Layer III frames instead; an ID3v2 tag alone is also taken
 * as a claim to be MP3 (if no frames follow, decoding reports it corrupt rather than unsupported).
 */
function sniffMp3(buf: Uint8Array, ftExt: string | undefined): SniffResult | undefined {
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
