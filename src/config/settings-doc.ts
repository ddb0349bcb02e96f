// Renders the settings reference of docs/configuration.md from the settings table, so the
// documented names, flags and defaults can never drift from the real ones (a test compares the
// committed file). Only the part between the two markers is generated; the prose around it is
// written by hand.
import { SETTINGS, type DefaultsContext, type SettingSpec } from './settings.js';
import { GROUP_TITLE } from './example-env.js';

const SETTINGS_DOC_START = '<!-- settings table: generated from src/config/settings.ts, do not edit -->';
const SETTINGS_DOC_END = '<!-- end of settings table -->';

/** A default as the docs show it; a derived one for an ordinary user, and for root when it differs. */
function shownDefault(spec: SettingSpec, resolved: Record<string, unknown>): string {
  if (typeof spec.default === 'string') return spec.default === '' ? '_(none)_' : `\`${spec.default}\``;
  const ctx = (uid: number): DefaultsContext => ({ env: {}, uid, home: '~', exists: () => false, resolved });
  const user = spec.default(ctx(1000));
  const root = spec.default(ctx(0));
  if (root.value !== user.value) return `\`${user.value}\`; \`${root.value}\` as root`;
  // The note explains the derivation; when it starts with the value, it only adds to it.
  const note = user.note.startsWith(user.value) ? user.note.slice(user.value.length) : ` (${user.note})`;
  return `\`${user.value}\`${escapeMarkdown(note)}`;
}

/** Help text is plain prose: keep `*`, `<` and `|` outside code spans from turning into markup. */
function escapeMarkdown(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[*<|]/g, (c) => `\\${c}`)))
    .join('');
}

/** The generated block, markers included. */
export function renderSettingsDoc(): string {
  // Later defaults read earlier ones (BUNDLE_DIR is STATE_DIR/bundles): show them by name.
  const resolved: Record<string, unknown> = { stateDir: 'STATE_DIR' };
  const lines = [SETTINGS_DOC_START];
  let group = '';
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    if (spec.group !== group) {
      group = spec.group;
      lines.push(
        '',
        `### ${GROUP_TITLE[group] ?? group}`,
        '',
        '| setting | flag | default | meaning |',
        '| --- | --- | --- | --- |',
      );
    }
    const flag = spec.flag ? `\`--${spec.flag}\`` : '';
    const help = spec.secret ? `${spec.help} Secret: masked in every output.` : spec.help;
    lines.push(`| \`${spec.env}\` | ${flag} | ${shownDefault(spec, resolved)} | ${escapeMarkdown(help)} |`);
  }
  lines.push('', SETTINGS_DOC_END);
  return lines.join('\n');
}

/** `doc` with its generated block replaced by the current one. */
export function withSettingsDoc(doc: string): string {
  const start = doc.indexOf(SETTINGS_DOC_START);
  const end = doc.indexOf(SETTINGS_DOC_END);
  if (start < 0 || end < start) throw new Error('the settings table markers are missing');
  return doc.slice(0, start) + renderSettingsDoc() + doc.slice(end + SETTINGS_DOC_END.length);
}
