import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { corruptMedia } from '@ca/shared';
import { audioTooLong } from './audio-errors.js';
import { clampInPlace } from './pcm.js';
import { decodeTimeout, reasonOf, runTool } from './tool.js';

/**
 * Audio that no maintained JavaScript decoder covers (AAC and ALAC in MP4/MOV/3GP, Opus in WebM,
 * ADTS AAC, AMR) goes through FFmpeg from Debian, locked down:
 * - the demuxer is the one sniffMedia found by magic bytes, passed as `-f` and as the only entry of
 *   `-format_whitelist`, so FFmpeg never probes (no HLS, concat or image2 playlist can be smuggled in);
 * - only audio decoders are allowed (`-codec_whitelist`), and only the first audio stream is mapped;
 * - the only protocol is `pipe` (stdin), or `file` for the MP4 family, whose index (moov) may follow
 *   the samples and cannot be read from a pipe: then the input is a private temp file we wrote, and
 *   external data references are off (`-enable_drefs 0`), so no other file is opened;
 * - output is mono float PCM at the target rate on stdout, capped just past the duration limit, and
 *   the run is killed after `timeoutMs`.
 */
const DECODERS = ['aac', 'aac_fixed', 'aac_latm', 'alac', 'opus', 'libopus', 'vorbis', 'flac', 'mp3', 'mp3float', 'amrnb', 'amrwb', 'libopencore_amrnb', 'libopencore_amrwb', 'pcm_s16le', 'pcm_s16be', 'pcm_s24le', 'pcm_s32le', 'pcm_f32le', 'pcm_f32be', 'pcm_mulaw', 'pcm_alaw'];

export interface FfmpegDecodeOptions {
  maxSeconds: number;
  targetRate: number;
  timeoutMs: number;
}

export interface FfmpegPcm {
  samples: Float32Array;
  /** What FFmpeg reported of the source stream (null when it printed no stream line). */
  sourceRate: number | null;
  channels: number | null;
}

export async function decodeWithFfmpeg(buf: Uint8Array, demuxer: string, opts: FfmpegDecodeOptions): Promise<FfmpegPcm> {
  const viaFile = demuxer === 'mov';
  const dir = viaFile ? await mkdtemp(path.join(os.tmpdir(), 'ca-ffmpeg-')) : undefined;
  try {
    let input = 'pipe:0';
    if (dir) {
      input = `file:${path.join(dir, 'input')}`;
      await writeFile(path.join(dir, 'input'), buf, { mode: 0o600 });
    }
    const maxSamples = Math.ceil(opts.maxSeconds * opts.targetRate) + 1;
    const r = await runTool({
      cmd: 'ffmpeg',
      install: 'ffmpeg',
      args: [
        '-hide_banner', '-nostats', '-loglevel', 'info', '-threads', '1',
        '-protocol_whitelist', viaFile ? 'file' : 'pipe',
        '-format_whitelist', demuxer,
        '-codec_whitelist', DECODERS.join(','),
        '-f', demuxer,
        ...(viaFile ? ['-enable_drefs', '0'] : []),
        '-i', input,
        '-map', '0:a:0', '-vn', '-sn', '-dn',
        '-ac', '1', '-ar', String(opts.targetRate),
        '-f', 'f32le', 'pipe:1',
      ],
      ...(viaFile ? {} : { stdin: buf }),
      timeoutMs: opts.timeoutMs,
      maxOutputBytes: maxSamples * 4,
    });
    if (r.capped) throw audioTooLong(opts.maxSeconds, maxSamples / opts.targetRate);
    if (r.timedOut) throw decodeTimeout(opts.timeoutMs);
    const samples = new Float32Array(r.stdout.buffer, r.stdout.byteOffset, Math.floor(r.stdout.length / 4)).slice();
    // FFmpeg names the input in its messages: our temp path is nobody's business.
    if (r.code !== 0) throw corruptMedia('Audio data cannot be decoded', { format: demuxer, reason: reasonOf(r.stderr).replaceAll(input, 'input') });
    if (samples.length === 0) throw corruptMedia('Audio has no decodable samples', { format: demuxer });
    return { samples: clampInPlace(samples), ...streamInfo(r.stderr) };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** "Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 128 kb/s" */
function streamInfo(stderr: string): { sourceRate: number | null; channels: number | null } {
  const line = stderr.split('\n').find((l) => /Stream #0:\d+.*: Audio:/.test(l));
  const rate = line?.match(/, (\d+) Hz/)?.[1];
  const layout = line?.match(/ Hz, ([^,]+)/)?.[1]?.trim();
  const channels = layout === 'mono' ? 1 : layout === 'stereo' ? 2 : Number(layout?.match(/^(\d+) channels/)?.[1] ?? NaN);
  return { sourceRate: rate ? Number(rate) : null, channels: Number.isFinite(channels) ? channels : null };
}
