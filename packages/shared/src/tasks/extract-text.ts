import { z } from 'zod';
import { defineTask, truncatedFlag } from './task.js';

export const extractText = defineTask({
  name: 'extract-text',
  domain: 'vision',
  summary: 'Read printed text from a photo: labels, receipts, serial numbers (not handwriting).',
  input: { kind: 'upload', media: 'image', schema: z.strictObject({}) },
  result: z.object({
    text: z.string().describe('All lines in reading order, joined with newlines.'),
    lines: z.array(
      z.object({
        text: z.string(),
        confidence: z.number().min(0).max(1),
        box: z.tuple([z.number(), z.number(), z.number(), z.number()]).describe('[x, y, width, height] in image pixels'),
      }),
    ),
    duration_ms: z.number().min(0),
    truncated: truncatedFlag,
  }),
  cacheable: false,
  textFields: [],
  models: ['ocr'],
});
