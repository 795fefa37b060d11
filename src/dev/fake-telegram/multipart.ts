/**
 * A lenient multipart/form-data parser. grammY writes part headers as
 * `content-disposition:form-data;name="x";filename=a.png` (no spaces, unquoted filename), which
 * Node's built-in `Request.formData()` rejects.
 */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface MultipartResult {
  fields: Record<string, string>;
  files: UploadedFile[];
}

export class MultipartError extends Error {}

/** The boundary from a `multipart/form-data; boundary=...` content type, or null. */
export function boundaryOf(contentType: string): string | null {
  const params = parseHeaderParams(contentType);
  const boundary = params.get('boundary');
  return boundary ? boundary : null;
}

/** Splits `form-data;name="x"; filename=a.png` into lowercase parameter names and their values. */
export function parseHeaderParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  let i = value.indexOf(';');
  if (i < 0) return params;
  const n = value.length;
  while (i < n) {
    i++; // skip ';'
    while (i < n && /\s/.test(value[i] ?? '')) i++;
    const nameStart = i;
    while (i < n && value[i] !== '=' && value[i] !== ';') i++;
    const name = value.slice(nameStart, i).trim().toLowerCase();
    let v = '';
    if (value[i] === '=') {
      i++;
      while (i < n && /\s/.test(value[i] ?? '')) i++;
      if (value[i] === '"') {
        i++;
        while (i < n && value[i] !== '"') {
          if (value[i] === '\\' && i + 1 < n) i++;
          v += value[i];
          i++;
        }
        i++; // closing quote
        while (i < n && value[i] !== ';') i++;
      } else {
        const start = i;
        while (i < n && value[i] !== ';') i++;
        v = value.slice(start, i).trim();
      }
    }
    if (name === 'filename*') {
      const m = /^[^']*'[^']*'(.*)$/.exec(v);
      try {
        params.set('filename', decodeURIComponent(m?.[1] ?? v));
      } catch {
        params.set('filename', v);
      }
    } else if (name && !params.has(name)) params.set(name, v);
  }
  return params;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const LF2 = Buffer.from('\n\n');

function splitHeaders(part: Buffer): { headers: Map<string, string>; body: Buffer } {
  let end = part.indexOf(CRLF2);
  let sep = 4;
  if (end < 0 || (part.indexOf(LF2) >= 0 && part.indexOf(LF2) < end)) {
    end = part.indexOf(LF2);
    sep = 2;
  }
  if (part.subarray(0, 2).equals(Buffer.from('\r\n'))) return { headers: new Map(), body: part.subarray(2) };
  if (end < 0) throw new MultipartError('part without a header/body separator');
  const headers = new Map<string, string>();
  for (const line of part.subarray(0, end).toString('utf8').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: part.subarray(end + sep) };
}

export function parseMultipart(body: Buffer, boundary: string): MultipartResult {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError('boundary not found');
  pos += delimiter.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // "--": the closing delimiter
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
    if (body[pos] === 0x0d) pos++;
    if (body[pos] !== 0x0a) throw new MultipartError('malformed delimiter line');
    pos++;
    let next = body.indexOf(delimiter, pos);
    if (next < 0) throw new MultipartError('missing closing boundary');
    let partEnd = next;
    if (body[partEnd - 1] === 0x0a) partEnd--;
    if (body[partEnd - 1] === 0x0d) partEnd--;
    // A delimiter only counts at the start of a line; otherwise it is part of the content.
    while (partEnd === next && next > pos) {
      next = body.indexOf(delimiter, next + 1);
      if (next < 0) throw new MultipartError('missing closing boundary');
      partEnd = next;
      if (body[partEnd - 1] === 0x0a) partEnd--;
      if (body[partEnd - 1] === 0x0d) partEnd--;
    }
    const { headers, body: content } = splitHeaders(body.subarray(pos, partEnd));
    const disposition = parseHeaderParams(headers.get('content-disposition') ?? '');
    const name = disposition.get('name');
    if (name === undefined) throw new MultipartError('part without a name');
    const filename = disposition.get('filename');
    if (filename !== undefined) {
      files.push({
        field: name,
        filename,
        contentType: headers.get('content-type') ?? 'application/octet-stream',
        data: Buffer.from(content),
      });
    } else fields[name] = content.toString('utf8');
    pos = next + delimiter.length;
  }
  return { fields, files };
}
