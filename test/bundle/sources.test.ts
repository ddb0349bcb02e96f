// Where logs come from and how the Agent is reached: --since by modification time, the
// daemon's flight recorder instead of files, and /info answered over a Unix socket.
import { once } from 'node:events';
import http from 'node:http';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/bundle/index.js';
import { INFO_BODY, refusedPort, tempDir, testConfig, unzip, writeFixture, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('log sources', () => {
  it('--since leaves out files not written within the window', async () => {
    const root = await tempDir();
    await writeFixture(root, 'logs/recent.log', 'recent line\n');
    const old = await writeFixture(root, 'logs/old.log', 'old line\n');
    const t = Date.now() / 1000 - 3 * 3600;
    await utimes(old, t, t);
    const port = await refusedPort();
    const r = await buildBundle({
      config: testConfig(root, { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` }),
      reason: 'manual',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
      logDirs: [join(root, 'logs')],
      since: 3600,
    });
    const logs = r.manifest.files.filter((f) => f.collector === 'logs').map((f) => f.path.split('/').pop());
    expect(logs).toEqual(['recent.log']);
    expect(r.manifest.since).toBe('3600s');
    expect(r.manifest.collectors.find((c) => c.name === 'logs')!.notes.join(' ')).toMatch(
      /1 log files not modified within --since/,
    );
  });

  it('takes lines from the flight recorder, most recent first when over the per-file budget', async () => {
    const root = await tempDir();
    const port = await refusedPort();
    const lines = Array.from({ length: 2000 }, (_, i) => ({
      line: `recorded line ${i} password=fwCanaryRec${i}xyz`,
      tag: 'python',
    }));
    const r = await buildBundle({
      config: testConfig(root, {
        FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}`,
        FLAREWATCH_MAX_LOG_FILE_BYTES: '8KiB',
      }),
      reason: 'threshold',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
      logProvider: { files: () => ['/var/log/app/ddtrace.log'], recent: () => lines },
    });
    const f = r.manifest.files.find((x) => x.collector === 'logs')!;
    expect(f.path).toBe('logs/python/var/log/app/ddtrace.log');
    expect(f.bytes).toBeLessThanOrEqual(8 * 1024);
    expect(f.truncated).toMatchObject({ strategy: 'recent-lines', lines_total: 2000 });
    const text = (await unzip(r.path)).find((e) => e.name === f.path)!.data.toString('utf8');
    expect(text.trimEnd().split('\n').pop()).toMatch(/^recorded line 1999 password=\*+$/);
    expect(text).not.toContain('fwCanary');
  });
});

describe('Agent over a Unix socket', () => {
  it('reads /info through the socket and sends the sample trace', async () => {
    const root = await tempDir();
    const socket = join(root, 'apm.socket');
    let traces = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/info') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(INFO_BODY));
        } else {
          traces++;
          res.end('OK');
        }
      });
    });
    server.listen(socket);
    await once(server, 'listening');
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const r = await buildBundle({
      config: testConfig(root, { FLAREWATCH_AGENT_URL: `unix://${socket}` }),
      reason: 'manual',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
    });
    const probe = JSON.parse(
      (await unzip(r.path)).find((e) => e.name === 'agent/probe.json')!.data.toString('utf8'),
    ) as {
      transport: string;
      connect: { outcome: string }[];
      info: { outcome: string };
      acceptsTraces: boolean;
    };
    expect(probe.transport).toBe('unix');
    expect(probe.connect[0]?.outcome).toBe('ok');
    expect(probe.info.outcome).toBe('ok');
    expect(probe.acceptsTraces).toBe(true);
    expect(traces).toBe(1);
  });
});
