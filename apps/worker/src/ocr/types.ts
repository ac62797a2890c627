/** Raw RGB image, 3 channels interleaved, row-major, no row padding. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface OcrLine {
  text: string;
  /** Mean of the per-character max probabilities (0..1). */
  confidence: number;
  /** Axis-aligned [x, y, width, height] in source pixels. */
  box: [number, number, number, number];
}

export interface OcrResult {
  text: string;
  lines: OcrLine[];
}

/** Tunables; defaults follow PaddleOCR's inference defaults unless noted. */
export interface OcrTuning {
  /** Longest side fed to the detector (multiple of 32). */
  detMaxSide: number;
  /** Probability threshold that binarises the DB map. */
  detThresh: number;
  /** Minimum mean probability inside a box to keep it. */
  detBoxThresh: number;
  /** DB shrinks text regions by roughly this factor; we grow them back. */
  detUnclipRatio: number;
  /** Flip a crop only when the direction classifier is at least this sure. */
  clsThresh: number;
  /** Lines whose recognition confidence is below this are dropped. */
  recMinConfidence: number;
  /** Crops are padded to at least this width (Paddle pads to 320). */
  recMinWidth: number;
  /** Crops per rec run; on CPU batching saves little, padding to the widest crop costs a lot. */
  recBatch: number;
}

export const DEFAULT_TUNING: OcrTuning = {
  detMaxSide: 960,
  detThresh: 0.3,
  detBoxThresh: 0.6,
  // 2.0 rather than Paddle's 1.5: fewer clipped glyph edges on small/blurred text in our tests.
  detUnclipRatio: 2.0,
  clsThresh: 0.9,
  recMinConfidence: 0.5,
  // Tight widths, one crop per run: on CPU the cost is linear in padded width and batching
  // barely amortises anything, while accuracy was unchanged versus Paddle's 320/6.
  recMinWidth: 64,
  recBatch: 1,
};

/** Corner points of a (possibly rotated) text box: top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point];
export interface Point {
  x: number;
  y: number;
}
