// Headless Chromium for the summary-page tests: find the binary, check it can start, and
// render a file to its DOM or to a PNG. Every run gets a fresh profile dir and the flags
// that keep Chromium off the network.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const CANDIDATES = [
  process.env.CHROMIUM_BIN,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
].filter((p): p is string => Boolean(p));

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
];

export function chromiumBinary(): string | null {
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

async function withProfile<T>(fn: (profile: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'fw-chromium-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function dumpDom(htmlFile: string): Promise<string> {
  const bin = chromiumBinary();
  if (!bin) throw new Error('chromium not found');
  return withProfile(async (profile) => {
    const { stdout } = await run(
      bin,
      [...FLAGS, `--user-data-dir=${profile}`, '--dump-dom', pathToFileURL(htmlFile).href],
      { timeout: 60_000, maxBuffer: 64 << 20 },
    );
    return stdout;
  });
}

export async function screenshot(htmlFile: string, png: string, size = '1280,1600'): Promise<void> {
  const bin = chromiumBinary();
  if (!bin) throw new Error('chromium not found');
  await withProfile(async (profile) => {
    await run(
      bin,
      [
        ...FLAGS,
        `--user-data-dir=${profile}`,
        `--screenshot=${png}`,
        `--window-size=${size}`,
        pathToFileURL(htmlFile).href,
      ],
      { timeout: 60_000 },
    );
  });
}

/** True when Chromium exists and renders a trivial page; the reason otherwise. */
export async function chromiumUsable(): Promise<{ ok: boolean; reason: string }> {
  const bin = chromiumBinary();
  if (!bin) return { ok: false, reason: 'no chromium binary (install with scripts/install-test-tools.sh)' };
  const dir = mkdtempSync(join(tmpdir(), 'fw-chromium-probe-'));
  try {
    const f = join(dir, 'probe.html');
    (await import('node:fs')).writeFileSync(f, '<p id="probe">ok</p>');
    const dom = await dumpDom(f);
    return dom.includes('id="probe"')
      ? { ok: true, reason: '' }
      : { ok: false, reason: 'chromium started but rendered nothing' };
  } catch (err) {
    return { ok: false, reason: `chromium cannot start: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
