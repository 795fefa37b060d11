/**
 * Safety-order ladder arithmetic, shared by DCA and the hybrid's accumulation:
 * order n (1-based) sits at a cumulative deviation d * (1 + s + s^2 + ... + s^(n-1)) below the
 * base price (step scale s) and spends v * V^(n-1) quote (volume scale V).
 */

/** Cumulative deviations in percent for orders 1..count. */
export function ladderDeviations(count: number, deviation: number, stepScale: number): number[] {
  const out: number[] = [];
  let step = deviation;
  let total = 0;
  for (let n = 0; n < count; n++) {
    total += step;
    out.push(total);
    step *= stepScale;
  }
  return out;
}

/** Quote volumes of orders 1..count. */
export function ladderVolumes(count: number, first: number, volumeScale: number): number[] {
  const out: number[] = [];
  let v = first;
  for (let n = 0; n < count; n++) {
    out.push(v);
    v *= volumeScale;
  }
  return out;
}

/**
 * Average entry after the base order and the first n safety orders fill at their prices
 * (fees aside), for n = 0..count: used to check that a stop-loss does not fire before the next order.
 */
export function ladderAverages(basePrice: number, baseVolume: number, deviations: readonly number[], volumes: readonly number[]): number[] {
  let spent = baseVolume;
  let qty = baseVolume / basePrice;
  const out = [spent / qty];
  for (let n = 0; n < deviations.length; n++) {
    const p = basePrice * (1 - deviations[n]! / 100);
    spent += volumes[n]!;
    qty += volumes[n]! / p;
    out.push(spent / qty);
  }
  return out;
}
