// Runs the built CLI (dist/) as a child process, the way users and CI run it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for a child that does not inherit this machine's FLAREWATCH_/DD_ settings. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(FLAREWATCH_|DD_|OTEL_)/.test(k)) env[k] = v;
  }
  // Instrumented processes elsewhere on this machine (other tests' apps) must not change what
  // `check` or `collect` conclude; tests of the process scan turn it back on.
  return { ...env, FLAREWATCH_DISCOVER_SCHEDULE: 'off', ...extra };
}

export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; input?: string | Buffer; bin?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? CLI, ...args], {
      env: opts.env ?? cleanEnv(),
      cwd: opts.cwd ?? process.cwd(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
