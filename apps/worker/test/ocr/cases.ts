import { svgDoc } from './render.js';
import type { TextItem } from './render.js';

export interface OcrCase {
  name: string;
  svg: string;
  /** Degrees the rendered image is turned before OCR. */
  rotate?: number;
  /** Expected lines in reading order (row by row, left to right). */
  expected: string[];
  /** Substrings that must appear verbatim (order numbers, amounts, codes). */
  exact: string[];
}

/** Item name on the left, right-aligned amount on the right, one row each. */
function rows(entries: [string, string][], y0: number, step: number, size: number, left = 60, right = 740): TextItem[] {
  return entries.flatMap(([name, amount], i) => [
    { text: name, x: left, y: y0 + i * step, size },
    { text: amount, x: right, y: y0 + i * step, size, anchor: 'end' as const },
  ]);
}

const receiptItems: [string, string][] = [
  ['Organic Coffee Beans', '12.99'],
  ['Whole Milk 1L', '3.49'],
  ['Sourdough Bread', '5.25'],
  ['Cheddar Cheese 200g', '23.94'],
];

export const receipt: OcrCase = {
  name: 'receipt',
  svg: svgDoc(800, 600, [
    { text: 'CORNER MARKET', x: 60, y: 60, size: 32, weight: 'bold' },
    { text: 'Order #A1B2-77810', x: 60, y: 120, size: 22 },
    { text: 'Date: 2024-03-15 14:32', x: 60, y: 160, size: 22 },
    ...rows(receiptItems, 220, 40, 22),
    { text: 'TOTAL', x: 60, y: 420, size: 26, weight: 'bold' },
    { text: '45.67', x: 740, y: 420, size: 26, anchor: 'end', weight: 'bold' },
    { text: 'Thank you for shopping with us', x: 60, y: 520, size: 18 },
  ]),
  expected: [
    'CORNER MARKET',
    'Order #A1B2-77810',
    'Date: 2024-03-15 14:32',
    ...receiptItems.flat(),
    'TOTAL',
    '45.67',
    'Thank you for shopping with us',
  ],
  exact: ['A1B2-77810', '12.99', '3.49', '5.25', '23.94', '45.67', '2024-03-15'],
};

const labelLines = [
  'SHIP TO:',
  'Maria Gonzalez',
  '4821 Harbor View Road, Apt 12',
  'Portland, OR 97205',
  'TRACKING: 1Z8V47W90362815574',
  'Weight: 2.4 kg   Service: EXPRESS',
];

export const label: OcrCase = {
  name: 'shipping label',
  svg: svgDoc(
    640,
    360,
    labelLines.map((text, i) => ({ text, x: 40, y: 60 + i * 50, size: i === 4 ? 26 : 22, weight: i === 4 ? ('bold' as const) : ('normal' as const) })),
  ),
  expected: labelLines,
  exact: ['1Z8V47W90362815574', '97205', '4821', '2.4'],
};

export const serial: OcrCase = {
  name: 'serial number',
  svg: svgDoc(560, 90, [{ text: 'S/N: XK7-4402-QZ19-8835', x: 30, y: 58, size: 28 }]),
  expected: ['S/N: XK7-4402-QZ19-8835'],
  exact: ['XK7-4402-QZ19-8835'],
};

const leftCol = ['Returns policy', 'Items may be returned', 'within 30 days', 'with the receipt'];
const rightCol = ['Customer service', 'Call 1-800-555-0199', 'Mon-Fri 9am-6pm', 'help@example.com'];

export const twoColumns: OcrCase = {
  name: 'two columns',
  svg: svgDoc(800, 260, [
    ...leftCol.map((text, i) => ({ text, x: 40, y: 60 + i * 45, size: 22 })),
    ...rightCol.map((text, i) => ({ text, x: 440, y: 60 + i * 45, size: 22 })),
  ]),
  // Row-major reading order: the engine does not segment columns (see order.ts).
  expected: leftCol.flatMap((l, i) => [l, rightCol[i]!]),
  exact: ['1-800-555-0199', '30'],
};

export const rotated: OcrCase = { ...label, name: 'label rotated 180', rotate: 180 };
export const turned90: OcrCase = { ...label, name: 'label rotated 90', rotate: 90 };
export const skewed: OcrCase = { ...receipt, name: 'receipt skewed 3 degrees', rotate: 3 };

const smallLines = ['Invoice 2024-0098 due 04/30', 'Amount due: 318.40 EUR', 'Ref: PX-55821-B'];
export const smallText: OcrCase = {
  name: 'small text (14px)',
  svg: svgDoc(420, 110, smallLines.map((text, i) => ({ text, x: 12, y: 28 + i * 28, size: 14 }))),
  expected: smallLines,
  exact: ['318.40', '2024-0098'],
};

const lowLines = ['Membership ID 55031-778', 'Valid until 12/2026'];
export const lowContrast: OcrCase = {
  name: 'low contrast',
  svg: svgDoc(
    520,
    140,
    lowLines.map((text, i) => ({ text, x: 30, y: 55 + i * 45, size: 24, fill: '#9a9a9a' })),
    '#d6d6d6',
  ),
  expected: lowLines,
  exact: ['55031-778', '12/2026'],
};

export const blank: OcrCase = { name: 'blank', svg: svgDoc(400, 300, []), expected: [], exact: [] };

export const CLEAN_SET = [receipt, label, serial, twoColumns];
