// Durable alerts: types and preferences, enqueueing with the caller's transaction, and the sender.
export { ALERT_MODES, ALERT_TYPES, ALERT_TYPE_NAMES, DEFAULT_ALERT_MODES, isAlertType, type AlertMode, type AlertType } from './types.js';
export { AlertPreferencesRepository, alertSettingKey, deliveryFor, type AlertPreferences, type Delivery } from './preferences.js';
export { alertOwners, alertUsers, ownerIds, type Alert, type NotifyResult } from './notify.js';
export { composeChat, DEFAULT_COMPOSE_OPTIONS, REPEATED_NOTE, type ComposeOptions, type OutgoingMessage } from './compose.js';
export { classifySendError, type SendFailure } from './failures.js';
export { DEFAULT_RETRY_POLICY, silentAlertLogger, type AlertLogger, type RetryPolicy, type SendFn } from './deliver.js';
export { DEFAULT_PACE_LIMITS, Pacer, TokenBucket, type PaceLimits } from './pacer.js';
export { AlertSender, realSleep, type AlertSenderDeps, type AlertSenderOptions, type DrainResult, type SenderStats, type Sleep } from './sender.js';
export { telegramSend } from './telegram-send.js';
