export {
  ConfirmationService,
  confirmButtons,
  MAX_CONFIRMATION_TTL_MS,
  REFUSAL_MESSAGES,
  type ConfirmationServiceDeps,
  type ConsumeInput,
  type ConsumeResult,
  type CreateConfirmation,
  type CreatedConfirmation,
  type RefusalReason,
} from './service.js';
export { CONFIRM_PREFIX, confirmData, parseConfirmData, parseConfirmPayload, type ConfirmChoice } from './callback-data.js';
export { actionHash, canonicalJson } from './hash.js';
