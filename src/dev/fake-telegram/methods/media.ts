import type { Message } from 'grammy/types';
import { badRequest } from '../api-error.js';
import { readCaption } from '../message-content.js';
import type { MethodContext, MethodTable } from '../method-types.js';
import { requireChatId } from '../params.js';
import { readReplyMarkup } from '../reply-markup.js';
import type { StoredFile, World } from '../world.js';
import { applyReplyKeyboard, optionalFields, readReplyTo } from './common.js';

const MIME_BY_EXT: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  pdf: 'application/pdf', csv: 'text/csv', txt: 'text/plain', json: 'application/json', svg: 'image/svg+xml',
  zip: 'application/zip', html: 'text/html',
};

/** Width and height from a PNG header; 0 x 0 for other formats. */
export function imageSize(data: Buffer): { width: number; height: number } {
  const png = data.length >= 24 && data.readUInt32BE(0) === 0x89504e47 && data.toString('ascii', 12, 16) === 'IHDR';
  return png ? { width: data.readUInt32BE(16), height: data.readUInt32BE(20) } : { width: 0, height: 0 };
}

/** The uploaded file for `field` (attach://id, or a part named like the field), or a known file_id. */
function resolveInput(world: World, ctx: MethodContext, field: 'photo' | 'document'): StoredFile {
  const value = ctx.params[field];
  const attach = typeof value === 'string' && value.startsWith('attach://') ? value.slice(9) : null;
  const upload = ctx.files.find((f) => f.field === (attach ?? field));
  if (upload) {
    if (upload.data.length === 0) throw badRequest('file must be non-empty');
    const ext = /\.([a-z0-9]+)$/i.exec(upload.filename)?.[1]?.toLowerCase() ?? '';
    const mimeType = MIME_BY_EXT[ext] ?? (upload.contentType || 'application/octet-stream');
    const size = field === 'photo' ? imageSize(upload.data) : { width: 0, height: 0 };
    return world.storeFile(field, upload.data, { fileName: upload.filename, mimeType, ...size });
  }
  if (value === undefined || value === null || value === '') throw badRequest(`there is no ${field} in the request`);
  if (typeof value !== 'string' || attach !== null) throw badRequest('wrong file identifier/HTTP URL specified');
  if (/^https?:\/\//i.test(value)) throw badRequest('failed to get HTTP URL content');
  const known = world.files.get(value);
  if (!known) throw badRequest('wrong file identifier/HTTP URL specified');
  return known;
}

function fileFields(file: StoredFile): Partial<Message> {
  if (file.kind === 'photo') {
    return {
      photo: [{ file_id: file.fileId, file_unique_id: file.fileUniqueId, width: file.width, height: file.height, file_size: file.size }],
    };
  }
  const document: NonNullable<Message['document']> = {
    file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.size,
  };
  if (file.fileName !== undefined) document.file_name = file.fileName;
  if (file.mimeType !== undefined) document.mime_type = file.mimeType;
  return { document };
}

function sendFile(world: World, ctx: MethodContext, field: 'photo' | 'document'): Message {
  const caption = readCaption(ctx.params);
  const chat = world.chatForBot(requireChatId(ctx.params));
  const markup = readReplyMarkup(ctx.params);
  const replyTo = readReplyTo(world, chat, ctx.params);
  const file = resolveInput(world, ctx, field);
  const message = world.appendMessage(
    chat,
    {
      ...fileFields(file),
      ...(caption.text ? { caption: caption.text } : {}),
      ...optionalFields('caption_entities', caption.entities, markup, replyTo),
    },
    true,
  );
  applyReplyKeyboard(chat, markup);
  world.emit(chat, {
    kind: field,
    message,
    bytes: file.size,
    data: file.data,
    ...(caption.text ? { caption: caption.text } : {}),
    ...(file.fileName !== undefined ? { fileName: file.fileName } : {}),
    ...(markup ? { replyMarkup: markup } : {}),
  });
  return message;
}

export function mediaMethods(world: World): MethodTable {
  return {
    sendPhoto: (ctx) => sendFile(world, ctx, 'photo'),
    sendDocument: (ctx) => sendFile(world, ctx, 'document'),
  };
}
