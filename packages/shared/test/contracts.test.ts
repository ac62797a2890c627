import { describe, expect, it } from 'vitest';
import { childJobId, isStoreError, domainOfJobId, domainsOf, findLanguage, newJobId, parseFailure, qualityScore, TASKS, TASK_NAMES, modelsForDomains, type TaskContract, type TaskName } from '../src/index.js';

describe('task contracts', () => {
  it('cover the seven tasks of the design', () => {
    expect(TASK_NAMES.sort()).toEqual(
      ['audio-transcribe', 'audio-transcribe-translate', 'check-item-return-eligibility', 'extract-text', 'question-answering', 'summarize-text', 'translate-text'].sort(),
    );
    for (const t of Object.values(TASKS)) expect(['nlp', 'vision', 'audio']).toContain(t.domain);
  });

  it('normalise languages in every accepted spelling and reject others', () => {
    const s = TASKS['translate-text'].input.schema;
    for (const code of ['hi', 'hin', 'Hindi', '__hi__', 'hin_Deva']) {
      expect(s.parse({ text: 'x', src_lang: code, target_lang: 'eng' })).toMatchObject({ src_lang: 'hi', target_lang: 'en' });
    }
    const bad = s.safeParse({ text: 'x', src_lang: 'klingon', target_lang: 'en' });
    expect(bad.success).toBe(false);
    const issue = bad.error!.issues[0] as { params?: { errorCode?: string; supported?: string[] } };
    expect(issue.params?.errorCode).toBe('unsupported_language');
    expect(issue.params?.supported).toContain('hi');
  });

  it('reject blank text, unknown fields and wrong types', () => {
    const s = TASKS['question-answering'].input.schema;
    expect(s.safeParse({ context: '  ', question: 'q' }).success).toBe(false);
    expect(s.safeParse({ context: 'c', question: 'q', extra: 1 }).success).toBe(false);
    expect(s.safeParse({ context: 5, question: 'q' }).success).toBe(false);
    expect(TASKS['summarize-text'].input.schema.safeParse({ text: 't', min_length: 50, max_length: 10 }).success).toBe(false);
  });

  it('default audio translation to English', () => {
    expect(TASKS['audio-transcribe-translate'].input.schema.parse({})).toEqual({ target_lang: 'en' });
  });

  it('hand work only to tasks that exist and hand none on (one level of children), and say which inputs do', () => {
    for (const t of Object.values(TASKS) as TaskContract[]) {
      for (const d of t.dependsOn?.tasks ?? []) {
        expect(TASK_NAMES).toContain(d);
        expect((TASKS[d as TaskName] as TaskContract).dependsOn).toBeUndefined();
      }
    }
    const parse = (i: object) => TASKS['audio-transcribe-translate'].input.schema.parse(i);
    expect(domainsOf('audio-transcribe-translate')).toEqual(['audio', 'nlp']);
    expect(domainsOf('audio-transcribe-translate', parse({ target_lang: 'fr' }))).toEqual(['audio', 'nlp']);
    expect(domainsOf('audio-transcribe-translate', parse({ src_lang: 'hi' }))).toEqual(['audio']);
    expect(domainsOf('audio-transcribe-translate', parse({ src_lang: 'fr', target_lang: 'fr' }))).toEqual(['audio']);
    expect(domainsOf('question-answering')).toEqual(['nlp']);
  });

  it('say which models each domain needs', () => {
    expect(modelsForDomains(['nlp']).sort()).toEqual(['qa', 'summarizer', 'translator']);
    expect(modelsForDomains(['vision']).sort()).toEqual(['ocr', 'vision']);
    expect(modelsForDomains(['audio'])).toEqual(['asr']);
  });
});

describe('job ids', () => {
  it('are random, carry their domain, and reject anything else', () => {
    const a = newJobId('vision');
    expect(a).not.toBe(newJobId('vision'));
    expect(domainOfJobId(a)).toBe('vision');
    const child = childJobId(a, 'translate-text', 'nlp');
    expect(domainOfJobId(child)).toBe('nlp');
    expect(childJobId(a, 'translate-text', 'nlp')).toBe(child); // derived: a second add finds the first
    expect(childJobId(newJobId('vision'), 'translate-text', 'nlp')).not.toBe(child);
    for (const bad of ['', '1', 'nlp_', 'video_AAAAAAAAAAAAAAAAAAAAAA', 'nlp_../../etc/passwd', `nlp_${'A'.repeat(23)}`]) expect(domainOfJobId(bad)).toBeUndefined();
  });
});

describe('failures and quality', () => {
  it('parse structured failures and fall back for plain text', () => {
    expect(parseFailure(JSON.stringify({ status: 422, code: 'corrupt_media', message: 'm' })).code).toBe('corrupt_media');
    expect(parseFailure('job stalled more than allowable limit').code).toBe('job_stalled');
    expect(parseFailure('boom').status).toBe(500);
  });

  it('tell store errors (retry without spending an attempt) from errors of the work', () => {
    for (const m of ["OOM command not allowed when used memory > 'maxmemory'.", 'LOADING Redis is loading the dataset in memory', 'Connection is closed.', 'Command timed out']) {
      expect(isStoreError(new Error(m)), m).toBe(true);
    }
    expect(isStoreError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(true);
    for (const m of ['the model failed', 'Missing lock for job 1', 'OOMPH']) expect(isStoreError(new Error(m)), m).toBe(false);
    expect(isStoreError('OOM as a string')).toBe(false);
  });

  it('score quality as documented', () => {
    expect(qualityScore({ ok: false, empty: false, truncated: false })).toBe(0);
    expect(qualityScore({ ok: true, empty: true, truncated: false, confidence: 1 })).toBe(0);
    expect(qualityScore({ ok: true, empty: false, truncated: false })).toBe(1);
    expect(qualityScore({ ok: true, empty: false, truncated: true })).toBe(0.7);
    expect(qualityScore({ ok: true, empty: false, truncated: false, confidence: 0.5 })).toBe(0.75);
  });

  it('find languages by name and code', () => {
    expect(findLanguage('HINDI')?.iso1).toBe('hi');
    expect(findLanguage('xx')).toBeUndefined();
  });
});
