import { z } from 'zod';
import { defineTask } from './task.js';

export const labelScore = z.object({ label: z.string(), score: z.number().min(0).max(1) });

export const checkItemReturnEligibility = defineTask({
  name: 'check-item-return-eligibility',
  domain: 'vision',
  summary: 'Judge from a photo whether a returned item is damaged, and whether it is eligible for return.',
  input: { kind: 'upload', media: 'image', schema: z.strictObject({}) },
  result: z.object({
    detection: z.object({
      label: z.string().describe('Best label.'),
      score: z.number().min(0).max(1),
      defect: z.boolean().describe('True when the best damage label beats the threshold.'),
      labels: z.array(labelScore).describe('Every label with its score, best first.'),
    }),
    eligible_for_return: z.boolean(),
    reason: z.string().describe('Why, in terms of the configured return policy.'),
  }),
  cacheable: false,
  textFields: [],
  models: ['vision'],
});
