import { z } from 'zod';
import { findLanguage, SUPPORTED_LANGUAGE_CODES } from '../languages.js';

/** A required, non-blank text field (length limits are checked separately so they can be configured). */
export const text = (description: string) =>
  z.string({ error: 'must be a string' }).refine((s) => s.trim().length > 0, 'must not be empty').describe(description);

/**
 * A language in any accepted spelling, normalised to ISO 639-1. Unknown languages carry
 * `errorCode: unsupported_language` so the API answers with that code and the supported list.
 */
export const language = (description: string) =>
  z
    .string()
    .min(1)
    .max(32)
    // An example for the documentation, on the input side of the transform (where zod's input schema
    // is taken from): Swagger UI's "Try it out" sends it instead of the word "string".
    .meta({ examples: ['en'] })
    .transform((v, ctx) => {
      const found = findLanguage(v);
      if (!found) {
        ctx.addIssue({
          code: 'custom',
          message: `unsupported language "${v.slice(0, 32)}"`,
          params: { errorCode: 'unsupported_language', supported: SUPPORTED_LANGUAGE_CODES },
        });
        return z.NEVER;
      }
      return found.iso1;
    })
    .describe(`${description} ISO 639-1 (hi), ISO 639-3 (hin), English name or model code.`);
