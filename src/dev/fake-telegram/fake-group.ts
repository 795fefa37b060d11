import type { Message, User } from 'grammy/types';
import { ChatView } from './chat-view.js';
import type { FakeUser } from './fake-user.js';
import { pressButton, sendText, type PressedButton } from './user-actions.js';
import type { ChatRecord, World } from './world.js';

/** A basic group with several members and the bot. */
export class FakeGroup extends ChatView {
  constructor(world: World, record: ChatRecord) {
    super(world, record);
  }

  get title(): string {
    return this.record.chat.title ?? '';
  }

  members(): User[] {
    return [...this.record.members].flatMap((id) => {
      const user = this.world.users.get(id);
      return user ? [user] : [];
    });
  }

  addMember(user: FakeUser): void {
    this.record.members.add(user.id);
  }

  /** A member writes in the group. */
  send(from: FakeUser, text: string, options: { replyTo?: number } = {}): Message {
    const message = sendText(this.world, this.record, from.user, text, options.replyTo);
    this.markAction();
    return message;
  }

  /** A member presses an inline button in the group. */
  press(from: FakeUser, label: string, options: { message?: Message | number } = {}): PressedButton {
    const pressed = pressButton(this.world, this.record, from.user, label, options.message);
    this.markAction();
    return pressed;
  }
}
