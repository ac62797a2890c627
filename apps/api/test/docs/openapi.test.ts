/** The generated OpenAPI document: valid OpenAPI 3.1, and derived from the contracts (every task routed). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, loadConfig, TASKS, type TaskName } from '@ca/shared';
import { buildOpenApi, RESULT_EXAMPLES } from '../../src/docs/openapi.js';
import type { Obj } from '../../src/docs/components.js';
import { binOf } from '../../../../test/helpers/bin.js';

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
    expect(doc.paths['/healthz']!.get!.security).toEqual([]); // explicitly open
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKeyHeader', 'bearerAuth']);
    // Keys configured: no anonymous alternative.
    const keyed = buildOpenApi(loadConfig({ API_KEYS: 'k1' })) as unknown as Doc;
    expect(keyed.paths['/question-answering']!.post!.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
  });
});

describe('independent tools accept the document', () => {
  const REDOCLY = binOf('@redocly/cli', 'redocly');
  const lint = (d: unknown) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ca-openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(d));
    // --format stylish: one line per problem; NO_UPDATE_NOTIFIER keeps it from looking for a newer release.
    const r = spawnSync(process.execPath, [REDOCLY, 'lint', file, '--extends', 'recommended', '--format', 'stylish'], {
      encoding: 'utf8',
      env: { ...process.env, NO_UPDATE_NOTIFIER: '1', REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      timeout: 60_000,
    });
    return { status: r.status, problems: `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /\b(error|warning)\b/.test(l) && /\d+:\d+/.test(l)) };
  };

  it('@redocly/cli lint with the recommended rules: no error, no warning (open, and with API keys)', () => {
    for (const c of [cfg, loadConfig({ API_KEYS: 'k1' })]) {
      const r = lint(buildOpenApi(c));
      expect(r.problems).toEqual([]);
      expect(r.status).toBe(0);
    }
  }, 120_000);

  it('the lint is real: a document without servers, or with an example that breaks its schema, fails it', () => {
    const { servers: _servers, ...noServers } = buildOpenApi(cfg);
    const r = lint(noServers);
    expect(r.status).not.toBe(0);
    expect(r.problems.join('\n')).toContain('no-empty-servers');
    const bad = buildOpenApi(cfg) as unknown as { paths: Record<string, { post: { responses: { '200': { content: { 'application/json': { example: Obj } } } } } }> };
    bad.paths['/translate-text']!.post.responses['200'].content['application/json'].example = { translation: 42 };
    expect(lint(bad).problems.join('\n')).toContain('no-invalid-media-type-examples');
  }, 120_000);

  it('every task has a 200 example that fits its result contract, and every error code is documented', () => {
    for (const t of Object.values(TASKS)) expect(t.result.safeParse(RESULT_EXAMPLES[t.name as TaskName]).success, t.name).toBe(true);
    const text = JSON.stringify(doc);
    expect((doc.components.schemas.Error as { properties: { error: { properties: { code: { enum: string[] } } } } }).properties.error.properties.code.enum.sort()).toEqual(Object.keys(ERROR_CODES).sort());
    // Every code that an HTTP answer can carry appears in the description of a response.
    for (const [code, e] of Object.entries(ERROR_CODES)) if (![405, 410, 504].includes(e.status)) expect(text, code).toContain(`\`${code}\``);
  });
});
