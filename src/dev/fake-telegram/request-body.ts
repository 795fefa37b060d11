import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from './api-error.js';
import { boundaryOf, MultipartError, parseMultipart, type UploadedFile } from './multipart.js';
import { isRecord, type Params } from './params.js';

export const MAX_BODY_BYTES = 60 * 1024 * 1024;

export interface ParsedRequest {
  params: Params;
  files: UploadedFile[];
}

export function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > maxBytes) reject(new ApiError(413, 'Request Entity Too Large'));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** Parameters from the query string and a JSON, urlencoded or multipart body (the body wins). */
export function parseRequest(query: URLSearchParams, contentType: string, body: Buffer): ParsedRequest {
  const params: Params = Object.fromEntries(query);
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (body.length === 0) return { params, files: [] };
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON request body");
    }
    if (!isRecord(parsed)) throw badRequest('request body must be a JSON object');
    return { params: { ...params, ...parsed }, files: [] };
  }
  if (type === 'application/x-www-form-urlencoded') {
    return { params: { ...params, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) }, files: [] };
  }
  if (type === 'multipart/form-data') {
    const boundary = boundaryOf(contentType);
    if (!boundary) throw badRequest('multipart boundary is missing');
    try {
      const { fields, files } = parseMultipart(body, boundary);
      return { params: { ...params, ...fields }, files };
    } catch (e) {
      if (e instanceof MultipartError) throw badRequest(`can't parse multipart body: ${e.message}`);
      throw e;
    }
  }
  throw badRequest(`unsupported content type ${JSON.stringify(type)}`);
}
