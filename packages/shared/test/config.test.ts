import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, modelRegistry, DEFAULT_MODELS, TINY_MODELS, REPO_ROOT, readEnvFile } from '../src/index.js';
import path from 'node:path';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(8010);
    expect(c.WORKER_DOMAINS).toEqual(['nlp', 'vision', 'audio']);
    expect(c.RATE_LIMIT_BURST).toBe(10);
    expect(c.RATE_LIMIT_REFILL).toBe(5);
    expect(c.CACHE_TTL_S).toBe(300);
    expect(c.MAX_TEXT_CHARS).toBe(4000);
    expect(c.MAX_IMAGE_BYTES).toBe(5 * 1024 * 1024);
    expect(c.MAX_RESPONSE_CHARS).toBe(1500);
    expect(c.SYNC_TIMEOUT_MS).toBe(30_000);
    expect(c.allowRemoteModels).toBe(true);
    expect(c.MODEL_DTYPE).toBe('q8');
  });

  it('coerces numbers and lists from strings', () => {
    const c = loadConfig({ PORT: '9000', WORKER_DOMAINS: 'nlp, audio', DAMAGE_THRESHOLD: '0.7' });
    expect(c.PORT).toBe(9000);
    expect(c.WORKER_DOMAINS).toEqual(['nlp', 'audio']);
    expect(c.DAMAGE_THRESHOLD).toBe(0.7);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(8010);
  });

  it.each([
    ['PORT', 'eighty', 'PORT'],
    ['WORKER_DOMAINS', 'nlp,video', 'WORKER_DOMAINS'],
    ['DEVICE', 'tpu', 'DEVICE'],
    ['DAMAGE_THRESHOLD', '1.5', 'DAMAGE_THRESHOLD'],
    ['REDIS_URL', 'not a url', 'REDIS_URL'],
    ['ALLOW_REMOTE_MODELS', 'maybe', 'ALLOW_REMOTE_MODELS'],
    ['MODEL_PROFILE', 'huge', 'MODEL_PROFILE'],
  ])('rejects %s=%s with a message naming the variable', (name, value, named) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(named);
  });

  it('checks fields that go together', () => {
    expect(() => loadConfig({ ADMIN_USER: 'admin' })).toThrow(/ADMIN_PASSWORD/);
    expect(() => loadConfig({ SUMMARY_MIN_LENGTH: '200', SUMMARY_MAX_LENGTH: '100' })).toThrow(/SUMMARY_MIN_LENGTH/);
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    expect(loadConfig({ API_KEYS: 'a=b,c', WEBHOOK_KEY_SECRETS: `a=b=${secret}` }).WEBHOOK_KEY_SECRETS).toEqual([`a=b=${secret}`]);
    expect(() => loadConfig({ API_KEYS: 'c', WEBHOOK_KEY_SECRETS: `a=${secret}` })).toThrow(/WEBHOOK_KEY_SECRETS: names a key that is not in API_KEYS/);
    expect(() => loadConfig({ API_KEYS: 'a', WEBHOOK_KEY_SECRETS: 'a=whsec_short' })).toThrow(/WEBHOOK_KEY_SECRETS: takes/);
    // A key's secret never appears in the message.
    expect(() => loadConfig({ API_KEYS: 'a', WEBHOOK_KEY_SECRETS: 'a=whsec_short' })).not.toThrow(/whsec_short/);
  });
});

describe('.env file', () => {
  it('fills what the environment does not set; ENV_FILE empty reads none', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ca-env-')), 'custom.env');
    writeFileSync(file, 'PORT=18231\nHOST=10.0.0.1\n# a comment\nLOG_LEVEL="debug"\n');
    const env: NodeJS.ProcessEnv = { ENV_FILE: file, HOST: '127.0.0.1' };
    expect(readEnvFile(env)).toBe(file);
    expect(loadConfig(env)).toMatchObject({ PORT: 18231, HOST: '127.0.0.1', LOG_LEVEL: 'debug' });
    const none: NodeJS.ProcessEnv = { ENV_FILE: '' };
    expect(readEnvFile(none)).toBeUndefined();
    expect(none).toEqual({ ENV_FILE: '' });
  });
});

describe('model registry', () => {
  it('defaults to the real Hub models with q8 on CPU', () => {
    const r = modelRegistry(loadConfig({}));
    expect(r.qa.model).toBe(DEFAULT_MODELS.qa);
    expect(r.translator.model).toBe('Xenova/m2m100_418M');
    expect(r.vision.pipeline).toBe('zero-shot-image-classification');
    expect(r.asr.pipeline).toBe('automatic-speech-recognition');
    expect(Object.values(r).every((s) => s.device === 'cpu')).toBe(true);
    expect(r.qa.dtype).toBe('q8');
  });

  it('points the tiny profile at the generated models, offline', () => {
    const c = loadConfig({ MODEL_PROFILE: 'tiny' });
    const r = modelRegistry(c);
    expect(r.qa.model).toBe(TINY_MODELS.qa);
    expect(c.allowRemoteModels).toBe(false);
    expect(c.modelsDir).toBe(path.join(REPO_ROOT, 'models/tiny'));
  });

  it('takes overrides from the environment', () => {
    const r = modelRegistry(
      loadConfig({ QA_MODEL: 'me/qa', VISION_MODEL: 'me/clf', VISION_TASK: 'image-classification', DEVICE: 'cuda', MODEL_DTYPE: 'fp32', DAMAGE_LABELS: 'broken,ok' }),
    );
    expect(r.qa.model).toBe('me/qa');
    expect(r.vision).toMatchObject({ model: 'me/clf', pipeline: 'image-classification', device: 'cuda', dtype: 'fp32' });
    expect(r.vision.options.labels).toEqual(['broken', 'ok']);
  });
});
