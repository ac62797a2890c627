/**
 * Damage check. Two kinds of vision model: zero-shot (CLIP/SigLIP scores the photo against the
 * configured damage labels) or a plain classifier (config says which of its labels mean damage).
 * `defect` is true when the best damage label beats the threshold; eligibility follows RETURN_POLICY.
 */
import { RawImage } from '@huggingface/transformers';
import type { Handler } from './types.js';
import { timed } from './timing.js';

interface VisionOptions {
  labels: string[];
  intact_labels: string[];
  threshold: number;
  policy: 'damaged-only' | 'intact-only' | 'always';
  hypothesis_template: string;
}

export const checkItemReturnEligibility: Handler<'check-item-return-eligibility'> = async (_input, media, ctx) => {
  const m = ctx.models.get('vision');
  const o = m.spec.options as unknown as VisionOptions;
  const img = media.image!;
  const image = new RawImage(img.data, img.width, img.height, 3);
  const zeroShot = m.spec.pipeline === 'zero-shot-image-classification';
  const raw = (await timed(ctx, m, () =>
    zeroShot ? m.pipe!(image, o.labels, { hypothesis_template: o.hypothesis_template }) : m.pipe!(image, { top_k: 10 }),
  )) as { label: string; score: number }[];
  const labels = [...raw].sort((a, b) => b.score - a.score).map((l) => ({ label: l.label, score: round(l.score) }));
  const top = labels[0] ?? { label: 'unknown', score: 0 };
  const isIntact = (label: string) => o.intact_labels.includes(label);
  // Zero-shot: every configured label that is not an "intact" label is damage. Classifier: the labels
  // named in DAMAGE_LABELS are damage.
  const isDamage = (label: string) => (zeroShot ? !isIntact(label) : o.labels.includes(label));
  const worst = labels.find((l) => isDamage(l.label));
  const defect = worst !== undefined && worst.score >= o.threshold;
  ctx.report({ model: m.spec.model, inferenceMs: 0, confidence: top.score });
  const { eligible, reason } = decide(o.policy, defect, worst, o.threshold);
  return { detection: { label: top.label, score: top.score, defect, labels }, eligible_for_return: eligible, reason };
};

function decide(policy: VisionOptions['policy'], defect: boolean, worst: { label: string; score: number } | undefined, threshold: number) {
  const seen = worst ? `"${worst.label}" scored ${worst.score.toFixed(2)} against threshold ${threshold}` : 'no damage label scored';
  switch (policy) {
    case 'always':
      return { eligible: true, reason: `policy "always": every item may be returned (${seen})` };
    case 'intact-only':
      return defect
        ? { eligible: false, reason: `policy "intact-only": damage found (${seen})` }
        : { eligible: true, reason: `policy "intact-only": no damage found (${seen})` };
    case 'damaged-only':
      return defect
        ? { eligible: true, reason: `policy "damaged-only": damage found (${seen})` }
        : { eligible: false, reason: `policy "damaged-only": no damage above the threshold (${seen})` };
  }
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
