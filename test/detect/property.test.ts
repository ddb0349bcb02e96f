// Hostile input: random text, binary bytes and 10 MB lines never crash or hang the
// classifier, the stream classifier, the unframer or the scanner. (Completion is the
// assertion; nothing here is timed.)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANCHORS,
  ERROR_KINDS,
  classifyLine,
  createStreamClassifier,
  createUnframer,
  extractTarget,
  inferKind,
  lineTimestamp,
  scanPaths,
} from '../../src/detect/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fw-prop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KINDS = new Set<string | null>([null, ...ERROR_KINDS]);

// Strings built from tracer vocabulary, so the rules' regexes are actually exercised.
const words = fc.constantFrom(
  ...ANCHORS,
  'Error while sending',
  'Failed: ',
  'connect ECONNREFUSED',
  ':8126',
  'http://',
  'unix://',
  '.socket',
  'agent_error',
  '"',
  "'",
  '{',
  '}',
  'Exception',
  'Traceback',
  '  at ',
  ' (size=',
  'KB) traces. Total: ',
  'Status: ',
  '403',
  'DATADOG TRACER DIAGNOSTIC - ',
  'Agent Error: ',
  '\\',
  '\t',
  ' ',
  'lost 1 traces: ',
  'dial unix /',
  'Failed to connect to localhost port ',
  'a'.repeat(50),
  '::',
  '.',
  '/',
  ':',
  '@',
);
const vocabLine = fc.array(fc.oneof(words, fc.string({ maxLength: 20 })), { maxLength: 80 }).map((a) => a.join(''));

function checkShape(r: ReturnType<typeof classifyLine>) {
  expect(typeof r.error).toBe('boolean');
  expect(KINDS.has(r.kind)).toBe(true);
  if (!r.error) expect(r.kind).toBeNull();
}

describe('hostile input', () => {
  it('random unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (s) => checkShape(classifyLine(s))),
      { numRuns: 500 },
    );
  });

  it('random strings of tracer vocabulary (rule regexes really run)', () => {
    fc.assert(
      fc.property(vocabLine, (s) => {
        checkShape(classifyLine(s));
        inferKind(s);
        extractTarget(s);
        lineTimestamp(s);
      }),
      { numRuns: 1000 },
    );
  });

  it('random binary data through unframer and stream classifier', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), (bytes) => {
        const text = Buffer.from(bytes).toString('latin1');
        const u = createUnframer('auto');
        const s = createStreamClassifier();
        for (const raw of text.split('\n')) {
          const l = u.push(raw);
          if (l) checkShape(s.push(l.line));
        }
        u.flush();
      }),
      { numRuns: 300 },
    );
  });

  it('10 MB lines: one of repeated anchors, one of repeated regex bait, one CRI partial', () => {
    const big1 = 'Error while sending '.repeat((10 * 1024 * 1024) / 20);
    const big2 = ('agent_error":"' + 'a'.repeat(1000) + ' (size=' + '9'.repeat(100)).repeat(9000);
    const big3 = '"stack":"Error ' + 'ECONNREFUSED:8126 '.repeat(580_000);
    for (const l of [big1, big2, big3]) {
      expect(l.length).toBeGreaterThan(9_000_000);
      checkShape(classifyLine(l));
      checkShape(createStreamClassifier().push(l));
    }
    const u = createUnframer('auto');
    expect(u.push(`2026-08-21T10:15:02.1Z stdout P ${big1}`)).toBeNull();
    expect(u.push(`2026-08-21T10:15:02.1Z stdout F ${big1}`)?.line.length).toBeLessThanOrEqual(1 << 20);
  });

  it('a file of random binary data and 10 MB lines scans to the end', async () => {
    const file = join(dir, 'junk.bin');
    const err =
      '2026/08/21 10:15:02 Datadog Tracer v2.1.0 ERROR: lost 1 traces: dial tcp 127.0.0.1:8126: connect: connection refused';
    await writeFile(
      file,
      Buffer.concat([
        randomBytes(3_000_000),
        Buffer.from(`\n${err}\n`),
        Buffer.alloc(10_000_000, 'Failed: '),
        Buffer.from(`\n${err}\n`),
        randomBytes(1_000_000),
      ]),
    );
    const r = await scanPaths([file]);
    expect(r.files).toBe(1);
    expect(r.errors).toBeGreaterThanOrEqual(2);
    expect(r.bytes).toBe(14_000_000 + 2 * (err.length + 2));
  });
});
