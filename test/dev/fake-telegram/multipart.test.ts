import { describe, expect, it } from 'vitest';
import { boundaryOf, MultipartError, parseHeaderParams, parseMultipart } from '../../../src/dev/fake-telegram/multipart.js';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Exactly what grammY 1.46's payloadToMultipartItr writes (see node_modules/grammy/out/core/payload.js). */
function grammyBody(boundary: string, fields: Record<string, string>, file: { id: string; name: string; data: Buffer }): Buffer {
  const parts: Buffer[] = [enc(`--${boundary}\r\n`)];
  let first = true;
  for (const [key, value] of Object.entries(fields)) {
    if (!first) parts.push(enc(`\r\n--${boundary}\r\n`));
    parts.push(enc(`content-disposition:form-data;name="${key}"\r\n\r\n${value}`));
    first = false;
  }
  parts.push(enc(`\r\n--${boundary}\r\n`));
  parts.push(enc(`content-disposition:form-data;name="${file.id}";filename=${file.name}\r\ncontent-type:application/octet-stream\r\n\r\n`));
  parts.push(file.data);
  parts.push(enc(`\r\n--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

describe('parseMultipart', () => {
  it("reads grammY's header style (no spaces, unquoted filename) and binary content intact", () => {
    const boundary = '----------abc123xyz';
    const data = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff, 0x0d, 0x0a]);
    const body = grammyBody(
      boundary,
      { chat_id: '42', photo: 'attach://k2j3', caption: 'line1\r\nline2', reply_markup: '{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}' },
      { id: 'k2j3', name: 'chart.png', data },
    );
    const r = parseMultipart(body, boundaryOf(`multipart/form-data; boundary=${boundary}`) ?? '');
    expect(r.fields).toEqual({
      chat_id: '42',
      photo: 'attach://k2j3',
      caption: 'line1\r\nline2',
      reply_markup: '{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}',
    });
    expect(r.files).toHaveLength(1);
    expect(r.files[0]).toMatchObject({ field: 'k2j3', filename: 'chart.png', contentType: 'application/octet-stream' });
    expect(r.files[0]?.data.equals(data)).toBe(true);
  });

  it('reads the conventional style too: spaces, quoted names, a quoted filename with a semicolon', () => {
    const body = enc(
      '--XyZ\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\r\n' +
        '--XyZ\r\nContent-Disposition: form-data; name="document"; filename="a; b.csv"\r\nContent-Type: text/csv\r\n\r\nx,y\n1,2\r\n' +
        '--XyZ--\r\n',
    );
    const r = parseMultipart(body, 'XyZ');
    expect(r.fields).toEqual({ text: 'hi' });
    expect(r.files[0]).toMatchObject({ field: 'document', filename: 'a; b.csv', contentType: 'text/csv' });
    expect(r.files[0]?.data.toString()).toBe('x,y\n1,2');
  });

  it('keeps a boundary-like sequence that is not at the start of a line as content', () => {
    const body = enc('--b1\r\ncontent-disposition:form-data;name="t"\r\n\r\nx--b1y\r\n--b1--');
    expect(parseMultipart(body, 'b1').fields).toEqual({ t: 'x--b1y' });
  });

  it('reads empty values and a preamble before the first boundary', () => {
    const body = enc('preamble\r\n--q\r\ncontent-disposition:form-data;name="a"\r\n\r\n\r\n--q--\r\n');
    expect(parseMultipart(body, 'q').fields).toEqual({ a: '' });
  });

  it('rejects bodies without the boundary or without the closing delimiter', () => {
    expect(() => parseMultipart(enc('nothing here'), 'q')).toThrow(MultipartError);
    expect(() => parseMultipart(enc('--q\r\ncontent-disposition:form-data;name="a"\r\n\r\nv'), 'q')).toThrow(
      /missing closing boundary/,
    );
    expect(() => parseMultipart(enc('--q\r\ncontent-type:text/plain\r\n\r\nv\r\n--q--'), 'q')).toThrow(/without a name/);
  });

  it('boundaryOf and parseHeaderParams', () => {
    expect(boundaryOf('multipart/form-data; boundary="quoted b"')).toBe('quoted b');
    expect(boundaryOf('multipart/form-data;boundary=----x')).toBe('----x');
    expect(boundaryOf('multipart/form-data')).toBeNull();
    const params = parseHeaderParams(`form-data;name="x";filename*=UTF-8''%E2%82%BF.png`);
    expect(Object.fromEntries(params)).toEqual({ name: 'x', filename: '₿.png' });
  });
});
