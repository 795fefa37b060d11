// The store's public API. (schema-diff.ts is dev-time only and deliberately not re-exported.)
export { openDatabase, type Database, type OpenDatabaseOptions } from './database.js';
export { DEFAULT_DATABASE_URL, DatabaseUrlError, parseDatabaseUrl, redactDatabaseUrl, type DatabaseTarget } from './database-url.js';
export { DatabaseInUseError } from './dir-lock.js';
export { MigrationError, applyMigrations, migratePglite, migratePostgres, type MigrationReport } from './migrate.js';
export type { DbClient } from './client.js';
export type { StoreLogger } from './logger.js';
export { UserRepository, type OwnerSync, type Role, type UserRecord } from './users.js';
export { AuditLogRepository, type AuditEntry, type AuditEntryInput, type AuditFilter } from './audit-log.js';
export { InvalidSettingError, SettingsRepository } from './settings.js';
