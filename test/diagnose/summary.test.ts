// summary.html: self-contained, findings first, a real chart; rendered by headless Chromium
// and checked in the DOM it produces. Set FLAREWATCH_UPDATE_SCREENSHOT=1 to refresh
// docs/summary-screenshot.png from this test.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTimeline, renderSummaryHtml, renderTimelineSvg } from '../../src/diagnose/index.js';
import { chromiumUsable, dumpDom, screenshot } from './chromium.js';
import { T0 } from './fixtures.js';
import { sampleSummaryInput } from './sample-summary.js';

const chromium = await chromiumUsable();
if (!chromium.ok) console.warn(`\n[summary.test] SKIPPING headless Chromium rendering: ${chromium.reason}\n`);

describe('renderSummaryHtml (static)', () => {
  const html = renderSummaryHtml(sampleSummaryInput());

  it('loads nothing from anywhere: no scripts, stylesheets, images or fonts by URL', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/\ssrc=/i);
    expect(html).toContain("default-src 'none'");
  });

  it('puts the findings before the chart', () => {
    expect(html.indexOf('id="findings"')).toBeGreaterThan(0);
    expect(html.indexOf('id="findings"')).toBeLessThan(html.indexOf('id="error-timeline"'));
  });

  it('escapes hostile log text', () => {
    const input = sampleSummaryInput();
    input.errors.push({
      time: T0,
      language: '<img src=x onerror=alert(1)>',
      kind: 'refused',
      target: '"><script>alert(1)</script>',
      status: null,
    });
    input.files.push({ path: 'logs/"><script>x</script>.log' });
    input.files.push({ path: 'javascript:alert(1)' });
    const out = renderSummaryHtml(input);
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('<img src=x');
    expect(out).not.toMatch(/href="javascript:/i);
  });

  it('renders a manual bundle with no errors, no probes and no trigger', () => {
    const out = renderSummaryHtml({
      findings: [],
      errors: [],
      agentSeries: [],
      probes: [],
      files: [],
      generatedAt: T0,
    });
    expect(out).toContain('No problems found');
    expect(out).toContain('Made by hand');
    expect(out).toContain('no Agent probes recorded');
    expect(out).toContain('no connection errors in this window');
  });
});

describe('timeline', () => {
  it('counts every event once, stacked per minute by language', () => {
    const input = sampleSummaryInput();
    const t = buildTimeline(input.errors, { trigger: input.trigger!.at, reach: input.agentSeries });
    expect(t.total).toBe(input.errors.length);
    const sum = t.series.reduce((a, s) => a + s.counts.reduce((x, y) => x + y, 0), 0);
    expect(sum).toBe(input.errors.length);
    expect(t.series.map((s) => s.key)).toEqual(['java', 'python', 'go']);
    expect(t.reach.length).toBe(40);
  });

  it('ends the window at the bundle time when history stops earlier', () => {
    const events = [{ time: T0, language: 'go', kind: 'refused' as const, target: null, status: null }];
    const t = buildTimeline(events, { now: T0 + 30 * 60_000 });
    expect(t.start).toBe(T0);
    expect(t.minutes).toBe(31);
  });

  it('keeps only the most recent 240 minutes of a long history and says so', () => {
    const events = Array.from({ length: 600 }, (_, i) => ({
      time: T0 + i * 60_000,
      language: 'go',
      kind: 'refused' as const,
      target: null,
      status: null,
    }));
    const t = buildTimeline(events);
    expect(t.minutes).toBe(240);
    expect(t.hiddenBefore).toBe(360);
    expect(renderTimelineSvg(t)).toContain('360 earlier errors not shown');
  });
});

describe.skipIf(!chromium.ok)('summary.html in headless Chromium', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fw-summary-'));
    file = join(dir, 'summary.html');
    writeFileSync(file, renderSummaryHtml(sampleSummaryInput()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the findings, the chart, the trigger marker and the reachability strip in the rendered DOM', async () => {
    const dom = await dumpDom(file);
    const input = sampleSummaryInput();
    for (const f of input.findings) expect(dom).toContain(`data-finding-id="${f.id}"`);
    expect(dom).toContain('data-finding-id="container-localhost"');
    expect(dom).toMatch(/<svg[^>]*id="error-timeline"/);
    expect((dom.match(/class="bar"/g) ?? []).length).toBeGreaterThan(40);
    expect(dom).toMatch(/data-series="java"/);
    expect(dom).toContain('class="trigger-marker"');
    expect(dom).toContain('class="reach ok"');
    expect(dom).toContain('class="reach down"');
    expect(dom).toContain('href="logs/java/app.log"');
  });

  it('takes a full-page screenshot', async () => {
    const png = join(dir, 'summary.png');
    await screenshot(file, png);
    const buf = readFileSync(png);
    expect(buf.subarray(1, 4).toString()).toBe('PNG');
    expect(buf.readUInt32BE(16)).toBe(1280);
    expect(statSync(png).size).toBeGreaterThan(30_000);
    if (process.env.FLAREWATCH_UPDATE_SCREENSHOT === '1')
      copyFileSync(png, join(import.meta.dirname, '../../docs/summary-screenshot.png'));
  });
});
