import { describe, expect, it } from 'vitest';
import { userDirectory } from '../../src/app/store-adapters.js';
import type { UserRecord, UserRepository } from '../../src/store/index.js';

function fakeRepo(users: Map<number, UserRecord['role']>, fail: { next: boolean }) {
  let lists = 0;
  const repo = {
    async list(): Promise<UserRecord[]> {
      lists++;
      if (fail.next) {
        fail.next = false;
        throw new Error('database down');
      }
      return [...users].map(([telegramId, role]) => ({ telegramId, role, name: null, createdAt: new Date(0), updatedAt: new Date(0) }));
    },
  } as unknown as UserRepository;
  return { repo, lists: () => lists };
}

describe('user directory', () => {
  it('reads the users table once per ttl for every chat and stranger, and applies a changed role after it', async () => {
    const users = new Map<number, UserRecord['role']>([[1, 'owner'], [2, 'viewer']]);
    const fail = { next: false };
    const { repo, lists } = fakeRepo(users, fail);
    let t = 0;
    const dir = userDirectory(repo, () => t, 5_000);
    const seen = await Promise.all([1, 2, 3, 1, 2, 3].map((id) => dir.roleOf(id)));
    expect(seen).toEqual(['owner', 'viewer', null, 'owner', 'viewer', null]);
    expect(lists()).toBe(1);
    users.delete(2); // the owner removed the viewer
    t = 4_999;
    expect(await dir.roleOf(2)).toBe('viewer');
    t = 5_000;
    expect(await dir.roleOf(2)).toBeNull();
    expect(lists()).toBe(2);
    users.set(3, 'viewer');
    dir.forget();
    expect(await dir.roleOf(3)).toBe('viewer');
    expect(lists()).toBe(3);
  });

  it('does not keep a failed read', async () => {
    const fail = { next: true };
    const { repo, lists } = fakeRepo(new Map([[1, 'owner']]), fail);
    const dir = userDirectory(repo, () => 0, 5_000);
    await expect(dir.roleOf(1)).rejects.toThrow('database down');
    expect(await dir.roleOf(1)).toBe('owner');
    expect(lists()).toBe(2);
  });
});
