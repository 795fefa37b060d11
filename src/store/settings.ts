// Key-value settings changed at run time, stored as JSON and validated by the caller's zod schema.
import type { z } from 'zod';
import { Prisma } from '../generated/prisma/client.js';
import type { DbClient } from './client.js';

export class InvalidSettingError extends Error {
  override name = 'InvalidSettingError';
  constructor(
    readonly key: string,
    readonly issues: string,
    stored: boolean,
  ) {
    super(
      stored
        ? `The stored setting "${key}" does not match what this version expects (${issues}). Set it again or delete it.`
        : `The value for setting "${key}" is invalid (${issues}). Nothing was saved.`,
    );
  }
}

export class SettingsRepository {
  constructor(private readonly db: DbClient) {}

  /** The parsed value, or undefined when the key is not set. Throws InvalidSettingError on a bad stored value. */
  async get<S extends z.ZodType>(key: string, schema: S): Promise<z.output<S> | undefined> {
    const row = await this.db.setting.findUnique({ where: { key } });
    if (!row) return undefined;
    const parsed = schema.safeParse(row.value);
    if (!parsed.success) throw new InvalidSettingError(key, summarize(parsed.error), true);
    return parsed.data;
  }

  async getOr<S extends z.ZodType>(key: string, schema: S, fallback: z.output<S>): Promise<z.output<S>> {
    const v = await this.get(key, schema);
    return v === undefined ? fallback : v;
  }

  /**
   * Validates `value` with `schema` and stores the parsed result as JSON. The stored value must read
   * back through the same schema (no Dates, Maps or undefined inside: JSON only).
   */
  async set<S extends z.ZodType>(key: string, schema: S, value: z.input<S>): Promise<z.output<S>> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InvalidSettingError(key, summarize(parsed.error), false);
    const json = toJson(parsed.data);
    await this.db.setting.upsert({ where: { key }, create: { key, value: json }, update: { value: json } });
    return parsed.data;
  }

  /** True when the key existed. */
  async delete(key: string): Promise<boolean> {
    const r = await this.db.setting.deleteMany({ where: { key } });
    return r.count > 0;
  }

  async keys(): Promise<string[]> {
    const rows = await this.db.setting.findMany({ select: { key: true }, orderBy: { key: 'asc' } });
    return rows.map((r) => r.key);
  }
}

function toJson(value: unknown): Prisma.InputJsonValue | typeof Prisma.JsonNull {
  if (value === undefined) throw new TypeError('A setting cannot be undefined; delete it instead.');
  const plain = JSON.parse(JSON.stringify(value)) as unknown;
  return plain === null ? Prisma.JsonNull : (plain as Prisma.InputJsonValue);
}

function summarize(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
