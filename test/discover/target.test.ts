import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probe, probeTargetOf } from '../../src/discover/target.js';
import { closedPort, listenLoopback } from '../helpers/net.js';

describe('probeTargetOf: what a signature target names', () => {
  it('parses every way logs and resolutions spell a target', () => {
    expect(probeTargetOf('127.0.0.1:8126')).toEqual({ transport: 'tcp', host: '127.0.0.1', port: 8126 });
    expect(probeTargetOf('localhost/127.0.0.1:8126')).toEqual({ transport: 'tcp', host: '127.0.0.1', port: 8126 });
    expect(probeTargetOf('http://localhost:8126/v0.4/traces')).toEqual({
      transport: 'tcp',
      host: 'localhost',
      port: 8126,
    });
    expect(probeTargetOf('https://collector.example')).toEqual({
      transport: 'tcp',
      host: 'collector.example',
      port: 443,
    });
    expect(probeTargetOf('[::1]:4317')).toEqual({ transport: 'tcp', host: '::1', port: 4317 });
    expect(probeTargetOf('/var/run/datadog/apm.socket')).toEqual({
      transport: 'unix',
      socketPath: '/var/run/datadog/apm.socket',
    });
    expect(probeTargetOf('unix:///run/apm.sock')).toEqual({ transport: 'unix', socketPath: '/run/apm.sock' });
    expect(probeTargetOf('datadog-agent')).toEqual({ transport: 'dns', host: 'datadog-agent' });
    for (const nothing of [null, undefined, '', '-', 'http://']) expect(probeTargetOf(nothing)).toBeNull();
  });
});

describe('probe', () => {
  it('a listening loopback port is reachable; a closed one is refused', async () => {
    const server = net.createServer((s) => s.destroy());
    const { port } = await listenLoopback(server);
    try {
      expect(await probe({ transport: 'tcp', host: '127.0.0.1', port }, 2000)).toMatchObject({
        target: `127.0.0.1:${port}`,
        reachable: true,
        outcome: 'ok',
      });
    } finally {
      server.close();
    }
    const closed = await closedPort();
    expect(await probe({ transport: 'tcp', host: '127.0.0.1', port: closed }, 2000)).toMatchObject({
      target: `127.0.0.1:${closed}`,
      reachable: false,
      outcome: 'refused',
    });
  });

  it('a missing socket is socket_missing; a listening one is reachable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flarewatch-sock-'));
    const path = join(dir, 'apm.socket');
    expect(await probe({ transport: 'unix', socketPath: path }, 2000)).toMatchObject({ outcome: 'socket_missing' });
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      expect(await probe({ transport: 'unix', socketPath: path }, 2000)).toMatchObject({
        reachable: true,
        target: path,
      });
    } finally {
      server.close();
    }
  });

  it('a name that does not resolve is a dns failure', async () => {
    expect(await probe({ transport: 'dns', host: 'no-such-host.invalid' }, 3000)).toMatchObject({
      reachable: false,
      outcome: 'dns',
    });
  });
});
