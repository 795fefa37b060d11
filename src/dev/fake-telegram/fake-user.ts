import type { Message, User } from 'grammy/types';
import { ChatView } from './chat-view.js';
import { pressButton, sendCallbackData, sendText, type PressedButton } from './user-actions.js';
import type { World } from './world.js';

/** A Telegram user in a private chat with the bot. */
export class FakeUser extends ChatView {
  constructor(
    world: World,
    readonly user: User,
  ) {
    super(world, world.privateChat(user));
  }

  get id(): number {
    return this.user.id;
  }

  /** Writes to the bot (a `/command` gets its bot_command entity). Starts the chat. */
  send(text: string, options: { replyTo?: number } = {}): Message {
    const message = sendText(this.world, this.record, this.user, text, options.replyTo);
    this.markAction();
    return message;
  }

  /** Presses the inline button whose label contains `label` (case-insensitive). */
  press(label: string, options: { message?: Message | number } = {}): PressedButton {
    const pressed = pressButton(this.world, this.record, this.user, label, options.message);
    this.markAction();
    return pressed;
  }

  /** Sends a callback query with arbitrary data on a message (a forged or replayed button). */
  sendCallback(data: string, message: Message | number): PressedButton {
    const pressed = sendCallbackData(this.world, this.record, this.user, data, typeof message === 'number' ? message : message.message_id);
    this.markAction();
    return pressed;
  }

  /** The user blocks the bot: sends answer 403 until the user writes again. */
  block(): void {
    this.record.blocked = true;
  }
}
