import type { Context } from 'grammy';
import type { Actor } from '../app/types.js';

/** grammY's context plus the authorised actor (set by the auth middleware). */
export interface BotContext extends Context {
  actor?: Actor;
}
