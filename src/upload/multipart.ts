// A multipart/form-data body whose length is known before a byte is sent: text fields
// and one file part, the file streamed from disk between a precomputed head and tail, so
// a bundle of any size costs a few hundred bytes of memory.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { RequestBody } from './transport.js';

export type FormPart =
  | { name: string; value: string }
  | { name: string; file: { path: string; filename: string; size: number; contentType?: string } };

export interface MultipartBody extends RequestBody {
  contentType: string;
  boundary: string;
}

const CRLF = '\r\n';

/** Quoted-string for Content-Disposition: no CR/LF, quotes and backslashes escaped. */
function quoted(text: string): string {
  return `"${text.replace(/[\r\n]/g, ' ').replace(/(["\\])/g, '\\$1')}"`;
}

/** Field values end up inside the body as-is; CR/LF would let them forge parts. */
export function fieldProblem(name: string, value: string): string | null {
  return /[\r\n]/.test(value) ? `field ${name} must be a single line` : null;
}

export function buildMultipart(
  parts: readonly FormPart[],
  boundary = `flarewatch-${randomBytes(12).toString('hex')}`,
): MultipartBody {
  const files = parts.filter((p): p is Extract<FormPart, { file: unknown }> => 'file' in p);
  const [only] = files;
  if (files.length !== 1 || !only) throw new Error('a flare body carries exactly one file part');
  const file = only.file;

  // Everything before the file's bytes, and everything after them.
  let head = '';
  let tail = '';
  let afterFile = false;
  for (const part of parts) {
    if ('file' in part) {
      head +=
        `--${boundary}${CRLF}` +
        `Content-Disposition: form-data; name=${quoted(part.name)}; filename=${quoted(part.file.filename)}${CRLF}` +
        `Content-Type: ${part.file.contentType ?? 'application/zip'}${CRLF}${CRLF}`;
      tail += CRLF;
      afterFile = true;
      continue;
    }
    const problem = fieldProblem(part.name, part.value);
    if (problem) throw new Error(problem);
    const text = `--${boundary}${CRLF}Content-Disposition: form-data; name=${quoted(part.name)}${CRLF}${CRLF}${part.value}${CRLF}`;
    if (afterFile) tail += text;
    else head += text;
  }
  tail += `--${boundary}--${CRLF}`;

  const headBytes = Buffer.from(head, 'utf8');
  const tailBytes = Buffer.from(tail, 'utf8');
  return {
    boundary,
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: headBytes.length + file.size + tailBytes.length,
    open: () => Readable.from(streamed(headBytes, file.path, file.size, tailBytes), { objectMode: false }),
  };
}

/**
 * head, the file's first `size` bytes, tail. A file that shrank since it was measured fails
 * the body instead of leaving the server waiting for bytes promised by Content-Length.
 */
async function* streamed(head: Buffer, path: string, size: number, tail: Buffer): AsyncGenerator<Buffer> {
  if (head.length) yield head;
  let read = 0;
  if (size > 0) {
    for await (const chunk of createReadStream(path, { start: 0, end: size - 1 })) {
      read += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  if (read !== size) throw new Error(`${path} shrank from ${size} to ${read} bytes during the upload`);
  if (tail.length) yield tail;
}

/** The whole file as a PUT body (pre-signed URLs take the raw bytes). */
export function fileBody(path: string, size: number): RequestBody {
  return {
    length: size,
    open: () => Readable.from(streamed(Buffer.alloc(0), path, size, Buffer.alloc(0)), { objectMode: false }),
  };
}
