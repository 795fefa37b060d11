/**
 * A problem with what the user asked (bad argument, unknown bot id, ...). Its message is one clear
 * sentence meant for the user; nothing was changed.
 */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
}

/** The user may not do this (e.g. a viewer asking for a change). */
export class PermissionError extends Error {
  override readonly name = 'PermissionError';
}
