// Telegram ids fit in JS numbers (|id| < 2^53); the database stores them as BIGINT. Convert here only.

/** A Telegram user or chat id as the database stores it. Throws on non-integers and unsafe numbers. */
export function toDbId(id: number): bigint {
  if (!Number.isSafeInteger(id)) throw new RangeError(`Telegram id ${String(id)} is not a safe integer.`);
  return BigInt(id);
}

/** A database BIGINT back to a JS number. Throws if it does not fit exactly. */
export function fromDbId(id: bigint): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n)) throw new RangeError(`Database id ${id.toString()} does not fit in a JS number.`);
  return n;
}

export function fromNullableDbId(id: bigint | null): number | null {
  return id === null ? null : fromDbId(id);
}
