// Renders config/flarewatch.example.env from the settings table, so the documented
// defaults can never drift from the real ones (a test compares the committed file).
import { SETTINGS, settingRange, type SettingSpec } from './settings.js';

export const GROUP_TITLE: Record<string, string> = {
  general: "flarewatch's own logs",
  paths: 'Where things live',
  trigger: 'When a bundle is built',
  agent: 'The trace Agent',
  service: 'Health, metrics and bundle requests over HTTP',
  tail: 'Tailing',
  detect: 'Connection-error detection',
  redact: 'Redaction',
  bundle: 'Support bundles',
  upload: 'Sending bundles to support',
};

function wrap(text: string, width = 96): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

export function renderExampleEnv(): string {
  const lines = [
    '# flarewatch settings, every one with its default. Copy to .env (or point FLAREWATCH_ENV_FILE at a copy)',
    '# and uncomment what you change. Precedence: flags > environment > .env > FLAREWATCH_CONFIG file > defaults.',
    '# Generated from src/config/settings.ts by `flarewatch config --example-env`; do not edit by hand.',
    '',
    '# Optional YAML or JSON file with the same settings (keys like FLAREWATCH_THRESHOLD, threshold or state-dir).',
    '# FLAREWATCH_CONFIG=',
    '# Optional dotenv file to read instead of ./.env (never overrides the real environment).',
    '# FLAREWATCH_ENV_FILE=',
  ];
  let group = '';
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    if (spec.group !== group) {
      group = spec.group;
      lines.push('', `# ==== ${GROUP_TITLE[group] ?? group} ====`);
    }
    lines.push('');
    for (const l of wrap(spec.help)) lines.push(`# ${l}`);
    const range = settingRange(spec);
    if (range && /\bfrom .+ to /.test(range)) lines.push(`# Allowed: ${range.replace(/ \(e\.g\..*\)$/, '')}.`);
    if (typeof spec.default === 'string') {
      lines.push(`# ${spec.env}=${spec.default}`);
    } else {
      lines.push('# Default: derived (see `flarewatch config` for the value on this machine).', `# ${spec.env}=`);
    }
  }
  return lines.join('\n') + '\n';
}
