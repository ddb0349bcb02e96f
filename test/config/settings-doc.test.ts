import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config/settings.js';
import { renderSettingsDoc, withSettingsDoc } from '../../src/config/settings-doc.js';

const DOC = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));

/** The doc as it must be committed: its generated block refreshed, then formatted like every file. */
async function expectedDoc(current: string): Promise<string> {
  const options = (await prettier.resolveConfig(DOC)) ?? {};
  return prettier.format(withSettingsDoc(current), { ...options, filepath: DOC });
}

describe('docs/configuration.md', () => {
  it('holds the settings table generated from the settings table (FLAREWATCH_UPDATE_DOCS=1 rewrites it)', async () => {
    const current = readFileSync(DOC, 'utf8');
    const expected = await expectedDoc(current);
    if (process.env.FLAREWATCH_UPDATE_DOCS === '1' && current !== expected) writeFileSync(DOC, expected);
    expect(current).toBe(expected);
  });

  it('names every setting, its flag and its literal default', () => {
    const block = renderSettingsDoc();
    for (const s of SETTINGS) {
      expect(block).toContain(`| \`${s.env}\` |`);
      if ('flag' in s) expect(block).toContain(`\`--${s.flag}\``);
      if (typeof s.default === 'string' && s.default !== '') expect(block).toContain(`\`${s.default}\``);
    }
  });

  it('refuses a document whose markers are gone, instead of appending a second table', () => {
    expect(() => withSettingsDoc('# Configuration\n')).toThrow(/markers are missing/);
  });
});
