import type { UploadedFile } from './multipart.js';
import type { Params } from './params.js';

export interface MethodContext {
  params: Params;
  files: UploadedFile[];
  /** Aborted when the client goes away (ends a held getUpdates). */
  signal: AbortSignal;
}

/** Returns the method's `result`, or throws an ApiError. */
export type MethodHandler = (ctx: MethodContext) => unknown;
export type MethodTable = Record<string, MethodHandler>;
