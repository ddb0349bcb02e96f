// Log redaction in worker threads must produce exactly what the main thread produces: the
// workers replay what the main redactor learned (harvested env values, secrets found in
// config files), so those values are scrubbed from logs in workers too. Needs dist/ (the
// workers load the compiled worker module): `npm test` builds first.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/bundle/index.js';
import { detectorClassifier, readIncludedLogs } from '../../src/diagnose/index.js';
import { refusedPort, tempDir, testConfig, unzip, writeFixture, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

const CANARY = 'fwCanary';

describe('parallel log redaction', () => {
  it('workers and the main thread write identical, canary-free log entries', async () => {
    expect(existsSync(resolve(import.meta.dirname, '../../dist/collect/redact-worker.js'))).toBe(true);
    const root = await tempDir();
    // Values only the learned state can catch: bare, with no key name next to them in the logs.
    const envSecret = `${CANARY}EnvBare0042xyz`;
    const configSecret = `${CANARY}CfgBare0099abc`;
    const yaml = await writeFixture(root, 'etc/app.yaml', `database:\n  password: ${configSecret}\n`);
    // Sizes differ so the pool starts the files out of order (largest first).
    for (const n of [1, 2, 3, 4]) {
      const lines: string[] = [];
      for (let i = 0; i < 1500 * n; i++) {
        lines.push(
          i % 700 === 5
            ? `2024-05-01 10:00:${String(i % 60).padStart(2, '0')} WARN worker ${n} retrying with ${envSecret} then ${configSecret} after Error: connect ECONNREFUSED 127.0.0.1:8126`
            : `2024-05-01 INFO worker ${n} line ${i} ok`,
        );
      }
      await writeFixture(root, `logs/w${n}.log`, lines.join('\n') + '\n');
    }
    const port = await refusedPort();
    const build = (workers: number, workersOnly = workers > 0) =>
      buildBundle({
        config: testConfig(root, { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` }),
        reason: workers ? 'parallel' : 'serial',
        env: { MY_SERVICE_TOKEN: envSecret },
        procRoot: join(root, 'none'),
        rootDir: root,
        logDirs: [join(root, 'logs')],
        configFiles: [{ tracer: 'custom', path: yaml, format: 'yaml', origin: 'test' }],
        workers,
        // Every file through the workers: this thread would otherwise finish these small
        // files before the workers have started.
        workersOnly,
        parallelMinBytes: 0,
        retention: false,
      });
    const serial = await build(0);
    const parallel = await build(2);
    // This thread and the workers sharing the files: the same entries, whoever wrote which.
    const shared = await build(1, false);

    const logsOf = (m: typeof serial.manifest) =>
      m.files.filter((f) => f.collector === 'logs').map((f) => [f.path, f.sha256, f.bytes]);
    expect(logsOf(parallel.manifest)).toEqual(logsOf(serial.manifest));
    expect(logsOf(shared.manifest)).toEqual(logsOf(serial.manifest));
    expect(shared.manifest.redaction.countsByRule).toEqual(serial.manifest.redaction.countsByRule);
    expect(logsOf(parallel.manifest)).toHaveLength(4);
    // The workers' counts are merged into the manifest's report.
    expect(parallel.manifest.redaction.countsByRule).toEqual(serial.manifest.redaction.countsByRule);
    expect(parallel.manifest.redaction.total).toBeGreaterThan(4 * 5 * 2);

    const entries = await unzip(parallel.path);
    for (const e of entries) {
      expect(e.data.includes(CANARY), `canary in ${e.name}`).toBe(false);
    }

    // The detector ran over the log text while it was staged (in the workers, or on this
    // thread): its evidence is what reading the bundle's logs back gives.
    const evidenceOf = async (path: string) => {
      const findings = (await unzip(path)).find((e) => e.name === 'findings.json');
      const parsed = JSON.parse(findings?.data.toString('utf8') ?? '{}') as {
        evidence: { errors: unknown[]; startupConfigs: unknown[] };
      };
      return { errors: parsed.evidence.errors, startupConfigs: parsed.evidence.startupConfigs };
    };
    const readBack = await readIncludedLogs(
      entries.filter((e) => e.name.startsWith('logs/')).map((e) => ({ path: e.name, content: e.data })),
      detectorClassifier(),
      { now: 0 },
    );
    const expected = JSON.parse(
      JSON.stringify({ errors: readBack.errors, startupConfigs: readBack.startupConfigs }),
    ) as unknown;
    // One error line in 700 from line 5: 3, 5, 7 and 9 in files of 1500, 3000, 4500, 6000 lines.
    expect(readBack.errors).toHaveLength(3 + 5 + 7 + 9);
    expect(await evidenceOf(parallel.path)).toEqual(expected);
    expect(await evidenceOf(serial.path)).toEqual(expected);
  });
});
