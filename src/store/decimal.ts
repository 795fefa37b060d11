// Prisma Decimal columns <-> JS numbers. Numbers are snapped to the market's grid before they get here;
// writing them as strings keeps every digit, reading them back gives the same double.
import type { Prisma } from '../generated/prisma/client.js';

export const dec = (n: number): string => {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  // Up to 18 decimals, no exponent, no trailing zeros.
  const s = n.toFixed(18).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
};

export const num = (d: Prisma.Decimal | null | undefined): number => (d === null || d === undefined ? 0 : Number(d.toString()));
export const numOrNull = (d: Prisma.Decimal | null | undefined): number | null => (d === null || d === undefined ? null : Number(d.toString()));
