import { z } from 'zod';
import { defineTask, truncatedFlag } from './task.js';

export const extractText = defineTask({
  name: 'extract-text',
  domain: 'vision',
  summary: 'Read printed text from a photo or a PDF: labels, receipts, invoices, serial numbers (not handwriting).',
  input: { kind: 'upload', media: 'document', schema: z.strictObject({}) },
  result: z.object({
    text: z.string().describe('All lines in reading order, joined with newlines (pages of a PDF separated by an empty line).'),
    lines: z.array(
      z.object({
        text: z.string(),
        confidence: z.number().min(0).max(1),
        box: z.tuple([z.number(), z.number(), z.number(), z.number()]).describe('[x, y, width, height] in image pixels (of the rendered page, for a PDF)'),
        page: z.number().int().min(1).describe('The page the line is on (1 for a photo).'),
      }),
    ),
    pages: z
      .object({ read: z.number().int().min(1), total: z.number().int().min(1) })
      .optional()
      .describe('For a PDF of more than one page: how many pages were read (the first MAX_PDF_PAGES) of how many it has.'),
    duration_ms: z.number().min(0),
    truncated: truncatedFlag,
  }),
  cacheable: false,
  textFields: [],
  models: ['ocr'],
});
