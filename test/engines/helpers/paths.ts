import fc from 'fast-check';

export interface Bar {
  o: number;
  h: number;
  l: number;
  c: number;
}

/** A random walk of candles starting near `start`, prices rounded to 2 decimals. */
export function barsArb(start: number, min = 20, max = 160, vol = 0.04): fc.Arbitrary<Bar[]> {
  const step = fc.record({
    r: fc.double({ min: -vol, max: vol, noNaN: true }),
    up: fc.double({ min: 0, max: vol / 2, noNaN: true }),
    dn: fc.double({ min: 0, max: vol / 2, noNaN: true }),
    gap: fc.double({ min: -vol / 4, max: vol / 4, noNaN: true }),
  });
  // A drift per path (trends up or down), a swing (slow wave) and per-candle noise.
  const shape = fc.record({ drift: fc.double({ min: -vol / 3, max: vol / 3, noNaN: true }), swing: fc.double({ min: 0, max: vol * 2, noNaN: true }), period: fc.integer({ min: 8, max: 60 }) });
  return fc.tuple(shape, fc.array(step, { minLength: min, maxLength: max })).map(([sh, steps]) => {
    const out: Bar[] = [];
    let prev = start;
    steps.forEach((s, i) => {
      const wave = sh.swing * (Math.sin((2 * Math.PI * (i + 1)) / sh.period) - Math.sin((2 * Math.PI * i) / sh.period));
      const o = round2(Math.max(1, prev * (1 + s.gap)));
      const c = round2(Math.max(1, o * (1 + s.r + sh.drift + wave)));
      const h = round2(Math.max(o, c) * (1 + s.up));
      const l = round2(Math.max(0.5, Math.min(o, c) * (1 - s.dn)));
      out.push({ o, h, l, c });
      prev = c;
    });
    return out;
  });
}

export const round2 = (v: number): number => Math.round(v * 100) / 100;

/** Bars from a list of closes (open = previous close, wicks at the extremes). */
export function barsFrom(closes: readonly number[], first = closes[0] ?? 100): Bar[] {
  const out: Bar[] = [];
  let prev = first;
  for (const c of closes) {
    out.push({ o: prev, h: Math.max(prev, c), l: Math.min(prev, c), c });
    prev = c;
  }
  return out;
}
