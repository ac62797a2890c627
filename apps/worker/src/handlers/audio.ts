/**
 * Speech. Whisper transcribes in the spoken language, and translates to English in its own translate
 * mode. Other target languages hand the transcript to the translate-text task, as a child job.
 */
import { findLanguage } from '@ca/shared';
import type { Handler, HandlerContext, MediaInput } from './types.js';
import { countTokens, timed } from './timing.js';
import { Continuation } from './continuation.js';

async function whisper(ctx: HandlerContext, media: MediaInput, task: 'transcribe' | 'translate', language?: string): Promise<string> {
  const m = ctx.models.get('asr');
  const audio = media.audio!;
  const { chunk_length_s } = m.spec.options as { chunk_length_s: number };
  const long = audio.durationS > 30 && chunk_length_s > 0;
  const stride = 5;
  // The pipeline runs one generate() per chunk and ends each with streamer.end(): the job's progress.
  const chunks = long ? Math.max(1, Math.ceil((audio.durationS - chunk_length_s) / (chunk_length_s - 2 * stride)) + 1) : 1;
  let done = 0;
  const streamer = { put: () => undefined, end: () => void (++done < chunks && ctx.progress(done, chunks, 'audio chunks')) };
  const out = (await timed(
    ctx,
    m,
    () =>
      m.pipe!(audio.samples, {
        task,
        ...(language ? { language: findLanguage(language)?.name ?? language } : {}),
        ...(long ? { chunk_length_s, stride_length_s: stride, streamer } : {}),
        return_timestamps: false,
      }),
    (r: { text: string }) => ({ tokensIn: 0, tokensOut: countTokens(m, r.text) }),
  )) as { text: string };
  return out.text.trim();
}

export const audioTranscribe: Handler<'audio-transcribe'> = async (input, media, ctx) => {
  const transcription = await whisper(ctx, media, 'transcribe', input.language);
  return { transcription, ...(input.language ? { language: input.language } : {}), duration_s: round(media.audio!.durationS) };
};

export const audioTranscribeTranslate: Handler<'audio-transcribe-translate'> = async (input, media, ctx) => {
  const { src_lang, target_lang } = input;
  const transcription = await whisper(ctx, media, 'transcribe', src_lang);
  const base = { transcription, target_lang, ...(src_lang ? { src_lang } : {}), duration_s: round(media.audio!.durationS) };
  if (target_lang === 'en') return { ...base, translation: src_lang === 'en' ? transcription : await whisper(ctx, media, 'translate', src_lang) };
  if (src_lang === target_lang) return { ...base, translation: transcription };
  // Spoken language unknown: Whisper's translate mode gives English, which the translator takes on.
  const text = src_lang ? transcription : await whisper(ctx, media, 'translate');
  if (!text) return { ...base, translation: '' };
  return new Continuation('translate-text', { text, src_lang: src_lang ?? 'en', target_lang }, base, { translation: 'translation' });
};

const round = (x: number) => Math.round(x * 1000) / 1000;
