// The python example, end to end through buildBundle: six native-writer lines
// "failed to send, dropping 3 traces to intake at http://localhost:8126/v0.5/traces …
// client error (Connect)" while the Agent is healthy on another port. Both a manual bundle
// (log files on disk) and a threshold bundle (the daemon's flight recorder and trigger) must
// open with a top finding that names the port nothing listens on, show the six errors in
// findings.json, SUMMARY.md and the timeline, and carry no OpenTelemetry finding. Their
// summary.html pages are rendered in headless Chromium; FLAREWATCH_UPDATE_SCREENSHOT=1
// refreshes docs/diagnosis-manual.png and docs/diagnosis-threshold.png.
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBundle, type BundleResult } from '../../src/bundle/index.js';
import { removeTempDirs, startFakeAgent, tempDir, testConfig, unzip, type FakeAgent } from '../bundle/helpers.js';
import { closedPort } from '../helpers/net.js';
import { chromiumUsable, dumpDom, screenshot } from './chromium.js';
import { lines, portInUse } from './scenario-kit.js';

const chromium = await chromiumUsable();
if (!chromium.ok) console.warn(`\n[bundle.test] SKIPPING headless Chromium rendering: ${chromium.reason}\n`);

afterAll(removeTempDirs);

interface FindingsDoc {
  headline: string;
  findings: { id: string; severity: string; title: string }[];
  evidence: {
    errors: { language: string; kind: string; target: string | null }[];
    errorGroups: { language: string; kind: string; count: number; target: string | null }[];
    agentProbes: { url: string; origins?: { from: string; tracer?: string }[] }[];
    otlpProbes: unknown[];
  };
}

/** The port when it is free here; otherwise another port nothing listens on. */
const wrongPort = (await portInUse(8126)) ? await closedPort() : 8126;
const sixLines = () => Array.from({ length: 6 }, () => lines.pythonConnect(`http://localhost:${wrongPort}`));

async function read(result: BundleResult) {
  const entries = await unzip(result.path);
  const text = (name: string) => entries.find((e) => e.name === name)?.data.toString('utf8') ?? '';
  return {
    findings: JSON.parse(text('findings.json')) as FindingsDoc,
    summaryMd: text('SUMMARY.md'),
    html: text('summary.html'),
    names: entries.map((e) => e.name),
  };
}

function expectPythonExample(doc: FindingsDoc, agent: FakeAgent): void {
  const top = doc.findings[0]!;
  expect(top.id).toBe('tracer-wrong-target');
  expect(top.severity).toBe('error');
  expect(top.title).toContain(`localhost:${wrongPort}`);
  expect(top.title).toContain(`127.0.0.1:${agent.port}`);
  expect(doc.headline).toMatch(new RegExp(`^Most likely cause: The python tracer sends to localhost:${wrongPort}`));
  expect(doc.findings.filter((f) => /^ot(el|lp)-|collector/.test(f.id))).toEqual([]);
  expect(doc.findings.filter((f) => f.severity === 'error').map((f) => f.id)).toEqual(['tracer-wrong-target']);
  expect(doc.evidence.errors).toHaveLength(6);
  expect(doc.evidence.errorGroups).toEqual([
    expect.objectContaining({ language: 'python', kind: 'refused', count: 6 }),
  ]);
  // The tracer's target was probed, and the record says where it came from.
  const probed = doc.evidence.agentProbes.find((p) => p.url === `http://localhost:${wrongPort}`);
  expect(probed?.origins).toEqual([expect.objectContaining({ from: 'error-lines', tracer: 'python' })]);
  expect(doc.evidence.otlpProbes).toEqual([]);
}

function expectSummaryMd(md: string): void {
  const body = md.split('\n');
  expect(body[0]).toBe('# flarewatch support bundle');
  expect(body[2]).toMatch(new RegExp(`^\\*\\*Most likely cause: The python tracer sends to localhost:${wrongPort}`));
  expect(md).toMatch(/\| python \| refused \| http:\/\/localhost:\d+\/v0\.5\/traces \| 6 \|/);
}

async function render(html: string, name: string): Promise<string> {
  const dir = await tempDir('fw-diagnosis-render-');
  const file = join(dir, 'summary.html');
  writeFileSync(file, html);
  const dom = await dumpDom(file);
  const png = join(dir, `${name}.png`);
  await screenshot(file, png, '1280,1500');
  expect(statSync(png).size).toBeGreaterThan(20_000);
  expect(readFileSync(png).subarray(1, 4).toString('latin1')).toBe('PNG');
  if (process.env.FLAREWATCH_UPDATE_SCREENSHOT)
    copyFileSync(png, join(import.meta.dirname, '../../docs', `diagnosis-${name}.png`));
  return dom;
}

function expectRenderedDom(dom: string): void {
  const cause = /<section id="cause"[^>]*>([\s\S]*?)<\/section>/.exec(dom)?.[1] ?? '';
  expect(cause).toContain('Most likely cause: The python tracer sends to');
  expect(cause).toContain(`localhost:${wrongPort}`);
  expect(cause).toContain('What to do:');
  // The cause comes before the findings, the findings before the timeline.
  expect(dom.indexOf('id="cause"')).toBeLessThan(dom.indexOf('id="findings"'));
  expect(dom).toMatch(
    /<table class="kinds" id="error-groups">[\s\S]*<td>python<\/td><td>refused<\/td>[\s\S]*<td class="num">6<\/td>/,
  );
  expect(dom).toContain('6 connection errors');
}

describe('the python example in bundles', () => {
  it('manual bundle (collect): log files on disk', async () => {
    const root = await tempDir();
    const logs = join(root, 'logs');
    mkdirSync(logs);
    writeFileSync(join(logs, 'ddtrace.log'), sixLines().join('\n') + '\n');
    const agent = await startFakeAgent();
    try {
      const result = await buildBundle({
        config: testConfig(root, { FLAREWATCH_AGENT_URL: agent.url }),
        reason: 'manual',
        logDirs: [logs],
        env: { FLAREWATCH_AGENT_URL: agent.url },
        procRoot: join(root, 'no-proc'),
        workers: 0,
        retention: false,
      });
      const b = await read(result);
      expectPythonExample(b.findings, agent);
      expectSummaryMd(b.summaryMd);
      if (chromium.ok) {
        const dom = await render(b.html, 'manual');
        expectRenderedDom(dom);
        expect(dom).toContain('Made by hand');
      }
    } finally {
      await agent.close();
    }
  }, 60_000);

  it('threshold bundle (daemon): flight-recorder lines and the trigger', async () => {
    const root = await tempDir();
    const recorded = sixLines().map((line) => ({ line, tag: 'python' }));
    const agent = await startFakeAgent();
    try {
      const now = Date.now();
      const result = await buildBundle({
        config: testConfig(root, { FLAREWATCH_AGENT_URL: agent.url }),
        reason: 'threshold',
        env: { FLAREWATCH_AGENT_URL: agent.url },
        procRoot: join(root, 'no-proc'),
        logProvider: { files: () => ['/var/log/app/ddtrace.log'], recent: () => recorded },
        trigger: {
          signature: `python/refused/localhost:${wrongPort}`,
          firedAt: new Date(now - 60_000).toISOString(),
          threshold: 5,
          windowSeconds: 60,
        },
        agentSeries: Array.from({ length: 10 }, (_, i) => ({ at: now - (10 - i) * 60_000, ok: true })),
        workers: 0,
        retention: false,
      });
      const b = await read(result);
      expectPythonExample(b.findings, agent);
      expectSummaryMd(b.summaryMd);
      if (chromium.ok) {
        const dom = await render(b.html, 'threshold');
        expectRenderedDom(dom);
        expect(dom).toContain(`python/refused/localhost:${wrongPort}`);
      }
    } finally {
      await agent.close();
    }
  }, 60_000);
});
