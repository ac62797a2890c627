import { TASK_NAMES } from '@ca/shared';
import type { HandlerMap } from './types.js';
import { questionAnswering } from './question-answering.js';
import { summarizeText } from './summarize-text.js';
import { translateText } from './translate-text.js';
import { checkItemReturnEligibility } from './check-item-return-eligibility.js';
import { audioTranscribe, audioTranscribeTranslate } from './audio.js';
import { extractText } from './extract-text.js';

/** Task name → handler. The type makes a missing handler a compile error. */
export const HANDLERS: HandlerMap = {
  'question-answering': questionAnswering,
  'summarize-text': summarizeText,
  'translate-text': translateText,
  'check-item-return-eligibility': checkItemReturnEligibility,
  'audio-transcribe': audioTranscribe,
  'audio-transcribe-translate': audioTranscribeTranslate,
  'extract-text': extractText,
};

/** Start-up check (the compiler's check does not survive a cast): every contract has exactly one handler. */
export function assertHandlersComplete(map: Record<string, unknown> = HANDLERS): void {
  const missing = TASK_NAMES.filter((t) => typeof map[t] !== 'function');
  const extra = Object.keys(map).filter((k) => !(TASK_NAMES as string[]).includes(k));
  if (missing.length || extra.length) {
    throw new Error(`worker handler map does not match the task contracts: missing [${missing.join(', ')}], unknown [${extra.join(', ')}]`);
  }
}
