import type { Prisma } from '../generated/prisma/client.js';

/**
 * What repositories take: the PrismaClient itself or the `tx` of an interactive transaction.
 * On PGlite (one connection) code inside `$transaction(async (tx) => ...)` must use `tx` only.
 */
export type DbClient = Prisma.TransactionClient;
