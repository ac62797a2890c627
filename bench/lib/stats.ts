/** Percentiles, number formatting and the one markdown table `pnpm bench` prints. */

export interface Row {
  section: string;
  what: string;
  how: string;
  value: string;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))]!;
}

export const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
export const max = (xs: readonly number[]) => (xs.length ? Math.max(...xs) : NaN);

/** Milliseconds with sensible precision: 0.42 ms, 8.3 ms, 84 ms, 1,234 ms. */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (x < 1) return `${x.toFixed(2)} ms`;
  if (x < 10) return `${x.toFixed(1)} ms`;
  return `${Math.round(x).toLocaleString('en-US')} ms`;
}

export function rate(perS: number, unit = 'req/s'): string {
  if (!Number.isFinite(perS)) return 'n/a';
  return `${perS < 100 ? perS.toFixed(1) : Math.round(perS).toLocaleString('en-US')} ${unit}`;
}

/** "p50 12 ms · p95 20 ms" for a set of samples. */
export function p50p95(samples: readonly number[]): string {
  return `p50 ${ms(percentile(samples, 50))} · p95 ${ms(percentile(samples, 95))}`;
}

/** Time `runs` sequential calls of `fn`; returns each call's duration in ms. */
export async function timeRuns(runs: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Timer lag probe: a `intervalMs` setInterval records how late each tick fires. */
export function lagProbe(intervalMs = 10): { stop(): number[] } {
  const lags: number[] = [];
  let last = performance.now();
  const t = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - last - intervalMs));
    last = now;
  }, intervalMs);
  return {
    stop() {
      clearInterval(t);
      return lags;
    },
  };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Rows in section order (by the section's leading number; others last), otherwise as measured. */
export function renderTable(rows: readonly Row[]): string {
  const order = (r: Row) => Number(/^\d+/.exec(r.section)?.[0] ?? 99);
  const sorted = rows.map((r, i) => ({ r, i })).sort((a, b) => order(a.r) - order(b.r) || a.i - b.i).map((x) => x.r);
  const lines = ['| # | section | what | how measured | value |', '| --- | --- | --- | --- | --- |'];
  sorted.forEach((r, i) => lines.push(`| ${i + 1} | ${cell(r.section)} | ${cell(r.what)} | ${cell(r.how)} | ${cell(r.value)} |`));
  return lines.join('\n');
}
