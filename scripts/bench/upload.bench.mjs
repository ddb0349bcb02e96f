// Upload throughput and memory: a bundle streamed to a loopback intake by uploadBundle
// (HEAD + multipart POST), and by a pre-signed PUT, against two baselines measured in the
// same run: a bare node:http PUT piping the file (the floor), and a naive upload that reads
// the whole file into memory first (what streaming avoids). Each runs in its own child
// process so its peak RSS is its own.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

export const name = 'upload';
export const description =
  'uploadBundle to a loopback intake: MB/s and peak RSS vs a bare streamed PUT and a read-it-all PUT';

const distUpload = pathToFileURL(fileURLToPath(new URL('../../dist/upload/index.js', import.meta.url))).href;

const CHILD = `
const [mode, file, base] = process.argv.slice(2);
const { stat, readFile } = await import('node:fs/promises');
const { createReadStream } = await import('node:fs');
const http = await import('node:http');
const size = (await stat(file)).size;
const put = (body) => new Promise((resolve, reject) => {
  const req = http.request(base + '/put', { method: 'PUT', headers: { 'content-length': size }, agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
  req.on('error', reject);
  if (Buffer.isBuffer(body)) req.end(body); else body.pipe(req);
});
const t0 = process.hrtime.bigint();
let ok;
if (mode === 'bare') ok = (await put(createReadStream(file))) === 200;
else if (mode === 'naive') ok = (await put(await readFile(file))) === 200;
else {
  const { uploadBundle } = await import(${JSON.stringify(distUpload)});
  const opts = mode === 'intake'
    ? { via: 'intake', caseId: '1', intakeBaseUrl: base, env: { DD_API_KEY: 'bench0123456789abcdef0123456789ab' }, attempts: 1 }
    : { via: 'url', url: base + '/put?sig=benchsignature', env: {}, attempts: 1 };
  const r = await uploadBundle(file, opts);
  ok = r.ok;
  if (!ok) console.error(r.message);
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(JSON.stringify({ ok, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
`;

function runChild(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child ${args[0]} exited ${code}`)),
    );
  });
}

export async function run({ workDir, scale }) {
  const bytes = Math.max(1, Math.round(256 * scale)) * 1024 * 1024;
  const file = join(workDir, 'bundle.zip');
  // 1 MiB of random bytes repeated: incompressible enough, cheap to write.
  const block = randomBytes(1024 * 1024);
  const fh = await open(file, 'w');
  for (let written = 0; written < bytes; written += block.length) await fh.write(block);
  await fh.close();
  const script = join(workDir, 'child.mjs');
  await writeFile(script, CHILD);

  let received = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (c) => (received += c.length));
    req.on('end', () => {
      if (req.method === 'POST') res.writeHead(200, { 'content-type': 'application/json' }).end('{"case_id":1}');
      else res.writeHead(200).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;

  const results = {};
  try {
    // Twice each, interleaved, keeping the faster: the box is shared with other work.
    for (let round = 0; round < 2; round++) {
      for (const mode of ['bare', 'naive', 'intake', 'presigned']) {
        received = 0;
        const r = await runChild(script, [mode, file, base]);
        if (!r.ok) throw new Error(`${mode} upload failed`);
        if (received < bytes) throw new Error(`${mode}: server got ${received} of ${bytes} bytes`);
        const prev = results[mode];
        if (!prev || r.seconds < prev.seconds)
          results[mode] = { ...r, maxRssMiB: Math.max(r.maxRssMiB, prev?.maxRssMiB ?? 0) };
      }
    }
  } finally {
    await new Promise((r) => server.close(r));
  }
  const fig = (r) => ({
    MBps: +(bytes / 1e6 / r.seconds).toFixed(1),
    seconds: +r.seconds.toFixed(3),
    maxRssMiB: +r.maxRssMiB.toFixed(1),
  });
  return {
    bundleMiB: bytes / 1024 / 1024,
    baselineBareStreamedPut: fig(results.bare),
    baselineReadAllThenPut: fig(results.naive),
    uploadBundleIntake: fig(results.intake),
    uploadBundlePresignedPut: fig(results.presigned),
    intakeVsBareThroughput: +(results.bare.seconds / results.intake.seconds).toFixed(2),
  };
}
