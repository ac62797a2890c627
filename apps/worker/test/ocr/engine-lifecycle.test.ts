import { describe, expect, it } from 'vitest';
import { loadOcrEngine } from '../../src/ocr/engine.js';
import { serial } from './cases.js';
import { assertFontPresent, renderSvg } from './render.js';

describe('OCR engine lifecycle', () => {
  it('rejects loading from a folder without models', async () => {
    await expect(loadOcrEngine({ modelDir: '/nonexistent-ocr-models' })).rejects.toThrow(/nonexistent-ocr-models/);
  }, 30_000);

  it('rejects recognize() after dispose(), and dispose() is idempotent', async () => {
    const engine = await loadOcrEngine();
    await engine.dispose();
    await engine.dispose();
    await expect(engine.recognize({ data: new Uint8Array(3), width: 1, height: 1 })).rejects.toThrow(/disposed/);
  }, 30_000);

  it('can run on the calling thread when asked (useWorkerThread: false)', async () => {
    assertFontPresent();
    const engine = await loadOcrEngine({ useWorkerThread: false, intraOpNumThreads: 1 });
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
