// Test helpers for bundle tests: a config rooted in a temp dir, a loopback server playing
// the trace Agent, and a zip reader built on yauzl directly (not on the code under test).
import { readdirSync, readlinkSync, rmSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { listenLoopback } from '../helpers/net.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/settings.js';

const made: string[] = [];

/** Removes every directory tempDir() made in this test file (call from afterAll). */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function tempDir(prefix = 'fw-bundle-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function testConfig(root: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    cwd: root,
    env: {
      FLAREWATCH_STATE_DIR: join(root, 'state'),
      FLAREWATCH_DEFAULT_PATHS: 'false',
      FLAREWATCH_COLLECTOR_TIMEOUT: '5',
      ...env,
    },
    home: root,
    uid: 1000,
    exists: () => false,
  }).config;
}

/** Paths under `dir` this process holds open (Linux /proc; empty elsewhere). */
export function openFilesUnder(dir: string): string[] {
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return [];
  }
  return fds
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((target) => target.startsWith(dir + '/'));
}

export interface UnzippedEntry {
  name: string;
  mode: number;
  data: Buffer;
  /** From the central directory: 8 = deflate, 0 = stored. */
  method: number;
  /** The CRC-32 the zip records (yauzl does not check it; tests do). */
  crc32: number;
  compressedSize: number;
}

export function unzip(path: string): Promise<UnzippedEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) {
        reject(err);
        return;
      }
      const out: UnzippedEntry[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, (err2, stream) => {
          if (err2) {
            reject(err2);
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const mode = (e.externalFileAttributes >>> 16) & 0o7777;
            out.push({
              name: e.fileName,
              mode,
              data: Buffer.concat(chunks),
              method: e.compressionMethod,
              crc32: e.crc32,
              compressedSize: e.compressedSize,
            });
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.readEntry();
    });
  });
}

export interface FakeAgent {
  url: string;
  port: number;
  traces: unknown[];
  infoRequests: number;
  close(): Promise<void>;
}

export const INFO_BODY = {
  version: '7.60.1',
  git_commit: 'abc1234',
  endpoints: ['/v0.3/traces', '/v0.4/traces', '/v0.5/traces', '/info'],
  client_drop_p0s: true,
  config: {
    default_env: 'none',
    receiver_port: 8126,
    receiver_socket: '',
    obfuscation: { redis: { Enabled: true, RemoveAllArgs: false }, credit_cards: { Enabled: true, Luhn: false } },
  },
};

/** An HTTP server on 127.0.0.1 answering /info and accepting PUT /v0.3/traces. */
export async function startFakeAgent(opts: { dateOffsetMs?: number } = {}): Promise<FakeAgent> {
  const state = { traces: [] as unknown[], infoRequests: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const date = new Date(Date.now() + (opts.dateOffsetMs ?? 0)).toUTCString();
      if (req.method === 'GET' && req.url === '/info') {
        state.infoRequests++;
        res.writeHead(200, { 'Content-Type': 'application/json', 'Datadog-Agent-State': 'a'.repeat(64), Date: date });
        res.end(JSON.stringify(INFO_BODY, null, '\t'));
      } else if (req.method === 'PUT' && req.url === '/v0.3/traces') {
        try {
          state.traces.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          res.writeHead(200, { Date: date });
          res.end('OK');
        } catch {
          res.writeHead(400);
          res.end('bad payload');
        }
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  const { url, port } = await listenLoopback(server);
  return {
    url,
    port,
    get traces() {
      return state.traces;
    },
    get infoRequests() {
      return state.infoRequests;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A TCP server that accepts connections and never answers. */
export async function startSilentServer(): Promise<{
  url: string;
  port: number;
  accepted: Promise<void>;
  close(): Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  let onAccept: () => void = () => undefined;
  const accepted = new Promise<void>((r) => (onAccept = r));
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    onAccept();
  });
  const { url, port } = await listenLoopback(server);
  return {
    url,
    port,
    accepted,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

export { closedPort as refusedPort } from '../helpers/net.js';

export async function writeFixture(root: string, rel: string, content: string | Buffer): Promise<string> {
  const p = join(root, rel);
  await mkdir(join(p, '..'), { recursive: true });
  await writeFile(p, content);
  return p;
}
