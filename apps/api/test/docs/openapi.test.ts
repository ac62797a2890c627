/** The generated OpenAPI document: valid OpenAPI 3.1, and derived from the contracts (every task routed). */
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { loadConfig, TASKS } from '@ca/shared';
import { buildOpenApi } from '../../src/docs/openapi.js';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }>; requestBody?: { content: Record<string, unknown> }; security?: unknown[] }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>; securitySchemes: Record<string, unknown> };
};

const cfg = loadConfig({});
const doc = buildOpenApi(cfg) as unknown as Doc;

describe('buildOpenApi', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it('has a sync and an async route for every task, with the contract body', () => {
    for (const t of Object.values(TASKS)) {
      const sync = doc.paths[`/${t.name}`]?.post;
      const async = doc.paths[`/jobs/${t.name}`]?.post;
      expect(sync, t.name).toBeDefined();
      expect(async, t.name).toBeDefined();
      const media = t.input.kind === 'json' ? 'application/json' : 'multipart/form-data';
      expect(Object.keys(sync!.requestBody!.content)).toEqual([media]);
      expect(Object.keys(sync!.responses)).toEqual(expect.arrayContaining(['200', '202', '401', '422', '429', '503']));
      expect(Object.keys(async!.responses)).toEqual(expect.arrayContaining(['202', '422', '429', '503']));
      expect(sync!.responses['200']!.headers).toHaveProperty('RateLimit-Remaining');
      expect(Boolean(sync!.responses['200']!.headers!['X-Cache'])).toBe(t.cacheable);
      expect(async!.responses['202']!.headers).toHaveProperty('Location');
      expect(sync!.security).toEqual(expect.arrayContaining([{ bearerAuth: [] }, { apiKeyHeader: [] }]));
    }
  });

  it('takes schemas from the zod contracts', () => {
    const s = doc.components.schemas;
    expect(s.QuestionAnsweringInput!.required).toEqual(['context', 'question']);
    expect(s.QuestionAnsweringResult!.properties).toHaveProperty('score');
    // Upload tasks: the file plus the contract's text fields (the webhook fields are described); JSON tasks list them.
    expect(s.AudioTranscribeTranslateUpload!.required).toEqual(['file']);
    expect(Object.keys(s.AudioTranscribeTranslateUpload!.properties!)).toEqual(['file', 'src_lang', 'target_lang']);
    expect((s.AudioTranscribeTranslateUpload as { description?: string }).description).toContain('webhook');
    expect(Object.keys(s.QuestionAnsweringInput!.properties!)).toEqual(expect.arrayContaining(['webhook', 'webhook_events_filter']));
    expect(s.TranslateTextInput!.properties!.text).toMatchObject({ maxLength: cfg.MAX_TEXT_CHARS });
  });

  it('documents jobs, ops and auth', () => {
    for (const p of ['/jobs/{id}', '/', '/healthz', '/readyz', '/metrics', '/llmops/summary']) expect(doc.paths[p], p).toBeDefined();
    expect(Object.keys(doc.paths['/jobs/{id}']!)).toEqual(expect.arrayContaining(['get', 'delete']));
    expect(doc.paths['/healthz']!.get!.security).toBeUndefined();
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKeyHeader', 'bearerAuth']);
    // Keys configured: no anonymous alternative.
    const keyed = buildOpenApi(loadConfig({ API_KEYS: 'k1' })) as unknown as Doc;
    expect(keyed.paths['/question-answering']!.post!.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
  });
});
