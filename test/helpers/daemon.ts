// Runs `flarewatch run` from dist/ as a child process and follows its JSON log, so tests
// can wait for what the daemon says it did instead of sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { CLI, cleanEnv } from './cli.js';

export type LogLine = Record<string, unknown> & { msg: string; level: string };

export class DaemonProcess {
  readonly logs: LogLine[] = [];
  readonly stderr: string[] = [];
  private waiters: (() => void)[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      try {
        this.logs.push(JSON.parse(l) as LogLine);
      } catch {
        this.stderr.push(`stdout: ${l}`);
      }
      this.wake();
    });
    createInterface({ input: child.stderr! }).on('line', (l) => {
      this.stderr.push(l);
      this.wake();
    });
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.wake();
        resolve({ code, signal });
      }),
    );
  }

  static start(env: Record<string, string>): DaemonProcess {
    const child = spawn(process.execPath, [CLI, 'run'], {
      env: cleanEnv({
        FLAREWATCH_LOG_FORMAT: 'json',
        FLAREWATCH_HTTP_ADDR: '127.0.0.1:0',
        FLAREWATCH_DEFAULT_PATHS: 'false',
        // Other tests' instrumented processes on this machine must not reach this daemon's trigger.
        FLAREWATCH_DISCOVER_SCHEDULE: 'off',
        ...env,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new DaemonProcess(child);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves with the first log line matching `pred` (already logged or future); rejects at the deadline. */
  async waitFor(pred: (l: LogLine) => boolean, timeoutMs = 20_000, what = 'log line'): Promise<LogLine> {
    return this.waitUntil(() => this.logs.find(pred), timeoutMs, what);
  }

  /** Polls `check` on every new output line (and every 100 ms for file-system conditions). */
  async waitUntil<T>(check: () => T | undefined | false, timeoutMs = 20_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}\n--- daemon log ---\n${this.logs.map((l) => JSON.stringify(l)).join('\n')}\n--- stderr ---\n${this.stderr.join('\n')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  count(pred: (l: LogLine) => boolean): number {
    return this.logs.filter(pred).length;
  }

  async httpAddress(): Promise<string> {
    const l = await this.waitFor((x) => x.msg === 'flarewatch running', 20_000, 'daemon start');
    return String(l.http);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/**
 * Called at a test file's top level: returns a starter whose daemons are killed after each test,
 * so a failed assertion never leaves one running.
 */
export function daemonsKilledAfterEach(): (env: Record<string, string>) => DaemonProcess {
  let running: DaemonProcess[] = [];
  afterEach(async () => {
    await Promise.all(running.map((d) => d.stop('SIGKILL')));
    running = [];
  });
  return (env) => {
    const d = DaemonProcess.start(env);
    running.push(d);
    return d;
  };
}

export function zipsIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.zip'))
      .sort();
  } catch {
    return [];
  }
}

export function httpGet(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          ...(res.headers['content-type'] ? { type: res.headers['content-type'] } : {}),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

export { closedPort } from './net.js';
