// The tracer registry: one module per key, and every per-tracer table built from it.
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from '../../src/detect/index.js';
import { seriesColour } from '../../src/diagnose/chart.js';
import { CATALOGUE, DETECTION_ORDER, languageAlias, TRACER_KEYS, TRACERS } from '../../src/tracers/index.js';

describe('tracer registry', () => {
  it('has a module for every key, under its own key, tried in detection order exactly once', () => {
    for (const k of TRACER_KEYS) expect(TRACERS[k].key).toBe(k);
    expect([...DETECTION_ORDER].sort()).toEqual([...TRACER_KEYS].sort());
    expect(CATALOGUE.map((e) => e.key)).toEqual(TRACER_KEYS);
  });

  it('keeps detection data out of the catalogue entries', () => {
    for (const e of CATALOGUE) {
      expect(e).not.toHaveProperty('rules');
      expect(e).not.toHaveProperty('prefixes');
    }
  });

  it("builds the built-in rules from the modules, each module's rules naming its own tracer", () => {
    for (const k of TRACER_KEYS)
      for (const r of TRACERS[k].rules) {
        expect(BUILTIN_RULES).toContain(r);
        if (r.language) expect(r.language, r.id).toBe(k);
        expect(r.id.startsWith(`${k}.`) || r.id.startsWith('benign.'), r.id).toBe(true);
      }
  });

  it('maps every alias to one tracer, case-insensitively', () => {
    const seen = new Map<string, string>();
    for (const k of TRACER_KEYS)
      for (const a of [k, ...TRACERS[k].aliases]) {
        expect(seen.get(a.toLowerCase()) ?? k, a).toBe(k);
        seen.set(a.toLowerCase(), k);
      }
    expect(languageAlias('jvm')).toBe('java');
    expect(languageAlias('.NET')).toBe('dotnet');
    expect(languageAlias(' Go ')).toBe('go');
    expect(languageAlias('cobol')).toBeNull();
  });

  it('gives every tracer its own chart colour, and other series a fallback', () => {
    const colours = TRACER_KEYS.map((k) => seriesColour(k, 0));
    expect(new Set(colours).size).toBe(TRACER_KEYS.length);
    expect(seriesColour('java', 3)).toBe(TRACERS.java.colour);
    expect(seriesColour('something-else', 0)).toMatch(/^#[0-9a-f]{6}$/);
  });
});
