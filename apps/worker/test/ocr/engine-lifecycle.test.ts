import { mkdtemp, copyFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelDir, loadOcrEngine } from '../../src/ocr/engine.js';
import { MODEL_FILES } from '../../src/ocr/pipeline.js';
import { serial } from './cases.js';
import { assertFontPresent, renderSvg } from './render.js';

describe('OCR engine lifecycle', () => {
  it('rejects loading from a folder without models, naming the folder', async () => {
    await expect(loadOcrEngine({ modelDir: '/nonexistent-ocr-models' })).rejects.toThrow(/nonexistent-ocr-models/);
  }, 30_000);

  it('rejects a folder with only some of the models (the ones that loaded are released)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ca-ocr-partial-'));
    try {
      await copyFile(path.join(defaultModelDir(), MODEL_FILES.det), path.join(dir, MODEL_FILES.det));
      await expect(loadOcrEngine({ modelDir: dir })).rejects.toThrow(new RegExp(MODEL_FILES.cls.replace(/\./g, '\\.')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('reads text, then rejects recognize() after dispose(); dispose() is idempotent', async () => {
    assertFontPresent();
    const engine = await loadOcrEngine({ intraOpNumThreads: 1 });
    try {
      const r = await engine.recognize(await renderSvg(serial.svg));
      expect(r.text).toContain('XK7-4402-QZ19-8835');
    } finally {
      await engine.dispose();
    }
    await engine.dispose();
    await expect(engine.recognize({ data: new Uint8Array(3), width: 1, height: 1 })).rejects.toThrow(/disposed/);
  }, 30_000);
});
