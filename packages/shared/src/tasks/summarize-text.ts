import { z } from 'zod';
import { defineTask, truncatedFlag } from './task.js';
import { text } from './fields.js';

export const summarizeText = defineTask({
  name: 'summarize-text',
  domain: 'nlp',
  summary: 'Summarise a conversation or document.',
  input: {
    kind: 'json',
    schema: z
      .strictObject({
        text: text('The text to summarise.'),
        max_length: z.number().int().min(5).max(512).optional().describe('Longest summary, in tokens.'),
        min_length: z.number().int().min(0).max(512).optional().describe('Shortest summary, in tokens.'),
      })
      .refine((v) => v.min_length === undefined || v.max_length === undefined || v.min_length <= v.max_length, {
        message: 'min_length must not exceed max_length',
        path: ['min_length'],
      }),
  },
  result: z.object({ summary: z.string(), truncated: truncatedFlag }),
  cacheable: true,
  textFields: ['text'],
  models: ['summarizer'],
});
