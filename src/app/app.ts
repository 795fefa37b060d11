import type { StatusService } from './status.js';
import type { AuditTrail, UserDirectory } from './types.js';

/** Everything the surfaces (bot, CLI, tests) may call. Grows with each capability. */
export interface App {
  status: StatusService;
  users: UserDirectory;
  audit: AuditTrail;
}
