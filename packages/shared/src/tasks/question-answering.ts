import { z } from 'zod';
import { defineTask, truncatedFlag } from './task.js';
import { text } from './fields.js';

export const questionAnswering = defineTask({
  name: 'question-answering',
  domain: 'nlp',
  summary: 'Answer a question from a knowledge text (extractive: the answer is a span of the context).',
  input: {
    kind: 'json',
    schema: z.strictObject({
      context: text('The knowledge text to answer from.'),
      question: text('The customer question.'),
    }),
  },
  result: z.object({
    question: z.string(),
    answer: z.string(),
    score: z.number().min(0).max(1),
    start: z.number().int().min(0),
    end: z.number().int().min(0),
    truncated: truncatedFlag,
  }),
  cacheable: true,
  cacheExact: true,
  textFields: ['context', 'question'],
  models: ['qa'],
});
