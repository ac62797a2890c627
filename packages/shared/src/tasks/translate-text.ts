import { z } from 'zod';
import { defineTask, truncatedFlag } from './task.js';
import { language, text } from './fields.js';

export const translateText = defineTask({
  name: 'translate-text',
  domain: 'nlp',
  summary: 'Translate text between languages (for example Hindi to English).',
  input: {
    kind: 'json',
    schema: z.strictObject({
      text: text('The text to translate.'),
      src_lang: language('Language of the text.'),
      target_lang: language('Language to translate into.'),
    }),
  },
  result: z.object({
    translation: z.string(),
    src_lang: z.string(),
    target_lang: z.string(),
    truncated: truncatedFlag,
  }),
  cacheable: true,
  textFields: ['text'],
  models: ['translator'],
});
