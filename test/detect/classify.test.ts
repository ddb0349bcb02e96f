// Recall, false positives and language attribution over the labelled fixture set.
import { describe, expect, it } from 'vitest';
import { classifyLine, ERROR_KINDS, ANCHORS, BUILTIN_RULES } from '../../src/detect/index.js';
import { CATALOGUE } from '../../src/tracers/index.js';
import { cases } from '../fixtures/detect/lines.js';

const positives = cases.filter((c) => c.error);
const negatives = cases.filter((c) => !c.error);

describe('fixture set', () => {
  it('has several hundred lines covering every language, every kind and the look-alikes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    const langs = new Set(positives.map((c) => c.language));
    for (const e of CATALOGUE) if (e.key !== 'container') expect(langs, e.key).toContain(e.key);
    const kinds = new Set(positives.map((c) => c.kind));
    for (const k of ERROR_KINDS) expect(kinds, k).toContain(k);
    expect(negatives.length).toBeGreaterThanOrEqual(50);
  });
});

describe('classifyLine on the fixtures', () => {
  it('finds every error (recall 100%) with the labelled kind', () => {
    const missed = positives.filter((c) => !classifyLine(c.line).error).map((c) => c.line);
    expect(missed).toEqual([]);
    const wrongKind = positives
      .map((c) => ({ c, r: classifyLine(c.line) }))
      .filter(({ c, r }) => r.kind !== c.kind)
      .map(({ c, r }) => `${c.kind} ≠ ${r.kind} (${r.rule}): ${c.line.slice(0, 160)}`);
    expect(wrongKind).toEqual([]);
  });

  it('reports no benign look-alike as an error', () => {
    const fp = negatives
      .filter((c) => classifyLine(c.line).error)
      .map((c) => `${c.note}: ${classifyLine(c.line).rule}`);
    expect(fp).toEqual([]);
  });

  it('attributes each error line to its tracer from the line alone', () => {
    const wrong = positives
      .map((c) => ({ c, r: classifyLine(c.line) }))
      .filter(({ c, r }) => r.language !== c.language)
      .map(({ c, r }) => `${c.language} ≠ ${r.language}: ${c.line.slice(0, 140)}`);
    expect(wrong).toEqual([]);
  });

  it('names the target and the HTTP status where the line gives them', () => {
    for (const c of positives) {
      const r = classifyLine(c.line);
      if (c.target !== undefined) expect(r.target, c.line).toBe(c.target);
      if (c.status !== undefined) expect(r.status, c.line).toBe(c.status);
    }
  });

  it('reads a socket path out of an http+unix agent URL', () => {
    const line =
      'DATADOG TRACER CONFIGURATION - {"lang":"ruby","agent_url":"http+unix:///var/run/datadog/apm.socket?timeout=30","agent_error":"Errno::ENOENT: No such file or directory"}';
    expect(classifyLine(line)).toMatchObject({
      error: true,
      kind: 'socket_missing',
      target: '/var/run/datadog/apm.socket',
    });
  });

  it('names the host that failed to resolve when the line gives no address', () => {
    expect(classifyLine('DATADOG TRACER DIAGNOSTIC - Agent Error: getaddrinfo ENOTFOUND datadog-agent').target).toBe(
      'datadog-agent',
    );
    expect(classifyLine('[bgs] curl_easy_perform() failed: Could not resolve host: dd-agent.internal').target).toBe(
      'dd-agent.internal',
    );
  });

  it('uses the file hint when the line has no recognisable prefix, and ignores the generic container hint', () => {
    const bare = 'Error: connect ECONNREFUSED 127.0.0.1:8126';
    expect(classifyLine(bare, 'nodejs').language).toBe('nodejs');
    expect(classifyLine(bare, 'container').language).toBeNull();
    // A prefixed line keeps its own tracer even in a shared file.
    const go =
      '2026/08/21 10:15:02 Datadog Tracer v2.1.0 ERROR: lost 1 traces: Post "http://localhost:8126/v0.4/traces": dial tcp 127.0.0.1:8126: connect: connection refused';
    expect(classifyLine(go, 'php').language).toBe('go');
  });

  it('every error fixture contains one of the scan anchors (the byte prefilter cannot miss it)', () => {
    const noAnchor = positives.filter((c) => !ANCHORS.some((a) => c.line.includes(a)));
    expect(noAnchor.map((c) => c.line)).toEqual([]);
  });

  it('every built-in rule has an id, hints, a source, and a pattern that compiles', () => {
    const ids = new Set<string>();
    for (const r of BUILTIN_RULES) {
      expect(ids.has(r.id), r.id).toBe(false);
      ids.add(r.id);
      expect(r.hints.length, r.id).toBeGreaterThan(0);
      expect(r.source, r.id).toBeTruthy();
      expect(() => new RegExp(r.pattern)).not.toThrow();
    }
  });

  it('classifies an over-long line on its prefix only', () => {
    const head =
      '2026/08/21 10:15:02 Datadog Tracer v2.1.0 ERROR: lost 1 traces: dial tcp 127.0.0.1:8126: connect: connection refused ';
    expect(classifyLine(head + 'x'.repeat(100_000)).error).toBe(true);
    expect(classifyLine('x'.repeat(100_000) + head).error).toBe(false);
  });
});
