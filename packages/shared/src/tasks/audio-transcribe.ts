import { z } from 'zod';
import { defineTask, truncatedFlag } from './task.js';
import { language } from './fields.js';

export const audioTranscribe = defineTask({
  name: 'audio-transcribe',
  domain: 'audio',
  summary: 'Transcribe a voice message (WAV, MP3, M4A/AAC, Ogg, WebM, FLAC, AMR, 3GP, MP4/MOV).',
  input: {
    kind: 'upload',
    media: 'audio',
    schema: z.strictObject({ language: language('Spoken language; detected when omitted.').optional() }),
  },
  result: z.object({
    transcription: z.string(),
    language: z.string().optional(),
    duration_s: z.number().min(0),
    truncated: truncatedFlag,
  }),
  cacheable: false,
  textFields: [],
  models: ['asr'],
});
