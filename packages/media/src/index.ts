/**
 * @ca/media: decide what an upload is from its bytes, refuse what is too big before decoding it, and
 * turn the rest into model-ready arrays (RGB pixels for vision and PDF pages, 16 kHz mono float for
 * speech). All failures are AppErrors: 413 (limits), 415 (not an accepted format), 422 (corrupt,
 * truncated, or too slow to decode), 503 (an external decoder, FFmpeg or poppler, is not installed).
 */
export { ACCEPTED, ACCEPTED_LABELS, sniffMedia, type MediaKind, type SniffResult } from './sniff.js';
export { decodeUpload, maxUploadBytes, probeUpload, type DecodedUpload } from './upload.js';
export { decoderUnavailable } from './tool.js';
export {
  decodeImage,
  probeImage,
  type DecodedImage,
  type DecodeImageOptions,
  type ImageLimits,
  type ImageProbe,
} from './image.js';
export {
  decodeAudio,
  probeAudio,
  type AudioLimits,
  type AudioProbe,
  type DecodeAudioOptions,
  type DecodedAudio,
} from './audio.js';
export { resample } from './resample.js';
