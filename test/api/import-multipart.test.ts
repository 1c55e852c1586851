import { describe, expect, it } from 'vitest';
import { formDataBoundary, MultipartError, readMultipart } from '../../src/imports/multipart.js';

/**
 * The streaming multipart/form-data reader (src/imports/multipart.ts): the same parts whatever the chunking (down
 * to one byte at a time, so a boundary split across chunks is found), RFC 7578 file names (quoted, escaped,
 * filename*), a preamble and transport padding, and 400s for a body cut short or without its boundary.
 */

interface Read {
  name: string;
  filename: string | null;
  contentType: string | null;
  text: string;
}

async function readAll(chunks: Iterable<Buffer>, boundary: string): Promise<Read[]> {
  const out: Read[] = [];
  for await (const p of readMultipart(chunks, boundary)) {
    const bufs: Buffer[] = [];
    for await (const c of p.body) bufs.push(c);
    out.push({
      name: p.name,
      filename: p.filename,
      contentType: p.contentType,
      text: Buffer.concat(bufs).toString('utf8'),
    });
  }
  return out;
}

function* inChunks(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** What undici (as a browser) sends for a form. */
async function encode(fd: FormData): Promise<{ body: Buffer; boundary: string }> {
  const req = new Request('http://localhost/', { method: 'POST', body: fd });
  const boundary = formDataBoundary(req.headers.get('content-type') ?? '');
  if (!boundary) throw new Error('no boundary');
  return { body: Buffer.from(await req.arrayBuffer()), boundary };
}

describe('multipart/form-data reader', () => {
  it('reads the same parts at every chunk size, boundaries split across chunks included', async () => {
    const fd = new FormData();
    // A file whose content holds near-boundaries: CRLF and dashes, a line that starts like a delimiter.
    const tricky = '36,"A",-0- \r\n--\r\n---- not the boundary\r\n\r\n\r\n--';
    fd.append('sdn', new Blob([tricky], { type: 'text/csv' }), 'sdn.csv');
    fd.append('alt', new Blob([new Uint8Array(0)]), 'empty.csv');
    fd.append('note', 'a plain field');
    fd.append('file', new Blob(['x'.repeat(70_000)]), 'big.txt');
    const { body, boundary } = await encode(fd);
    const want: Read[] = [
      { name: 'sdn', filename: 'sdn.csv', contentType: 'text/csv', text: tricky },
      { name: 'alt', filename: 'empty.csv', contentType: 'application/octet-stream', text: '' },
      { name: 'note', filename: null, contentType: null, text: 'a plain field' },
      { name: 'file', filename: 'big.txt', contentType: 'application/octet-stream', text: 'x'.repeat(70_000) },
    ];
    expect(await readAll([body], boundary)).toEqual(want);
    for (const size of [1, 2, 3, 7, 41, 64, 1000, 65_536]) {
      expect(await readAll(inChunks(body, size), boundary)).toEqual(want);
    }
  });

  it('skips a part the caller does not read, and reads a preamble, padding and RFC 5987 names', async () => {
    const b = 'b0undary';
    const body = Buffer.from(
      'preamble to ignore\r\n' +
        `--${b}  \t\r\n` +
        'Content-Disposition: form-data; name="a"; filename="q\\"uote; semi.csv"\r\n\r\n' +
        'AAA\r\n' +
        `--${b}\r\n` +
        'content-disposition: form-data; name=b; filename="plain.csv"; filename*=UTF-8\'\'%E5%88%97%E8%A1%A8.csv\r\n' +
        'Content-Type: text/csv; charset=windows-1252\r\n\r\n' +
        'BBB\r\n' +
        `--${b}--\r\nepilogue`,
    );
    const names: Array<[string, string | null, string | null]> = [];
    let bText = '';
    for await (const p of readMultipart(inChunks(body, 5), b)) {
      names.push([p.name, p.filename, p.contentType]);
      if (p.name === 'b') for await (const c of p.body) bText += c.toString();
    }
    expect(names).toEqual([
      ['a', 'q"uote; semi.csv', null],
      ['b', '列表.csv', 'text/csv'],
    ]);
    expect(bText).toBe('BBB');
  });

  it('refuses a body cut short, one without its boundary, and a bad Content-Type (400)', async () => {
    const fd = new FormData();
    fd.append('sdn', new Blob(['36,"A"\r\n']), 'sdn.csv');
    const { body, boundary } = await encode(fd);
    await expect(readAll([body.subarray(0, body.length - 10)], boundary)).rejects.toThrow(
      /ends inside part 1 \("sdn\.csv"\) without its closing boundary/,
    );
    await expect(readAll([body], 'other-boundary')).rejects.toThrow(/no "--other-boundary" boundary found/);
    await expect(readAll([body], 'other-boundary')).rejects.toBeInstanceOf(MultipartError);
    expect(() => formDataBoundary('multipart/form-data')).toThrow(/without a valid boundary/);
    expect(formDataBoundary('multipart/form-data; boundary="a b:c"')).toBe('a b:c');
    expect(formDataBoundary('application/octet-stream')).toBeNull();
    expect(formDataBoundary(undefined)).toBeNull();
  });
});
