import { z } from 'zod';
import { defineTask, truncatedFlag } from './task.js';
import { language } from './fields.js';

export const audioTranscribeTranslate = defineTask({
  name: 'audio-transcribe-translate',
  domain: 'audio',
  summary:
    "Transcribe a voice message and translate it. To English the speech model's own translate mode is used; other targets chain the transcript into translate-text.",
  input: {
    kind: 'upload',
    media: 'audio',
    schema: z.strictObject({
      src_lang: language('Spoken language; detected when omitted.').optional(),
      target_lang: language('Language to translate into.').default('en'),
    }),
  },
  result: z.object({
    transcription: z.string(),
    translation: z.string(),
    target_lang: z.string(),
    src_lang: z.string().optional(),
    duration_s: z.number().min(0),
    truncated: truncatedFlag,
  }),
  cacheable: false,
  textFields: [],
  models: ['asr'],
  // Whisper translates to English itself; any other target is a translate-text child job.
  dependsOn: { tasks: ['translate-text'], when: (i) => i.target_lang !== 'en' && i.src_lang !== i.target_lang },
});
