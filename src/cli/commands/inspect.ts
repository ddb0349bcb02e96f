// `flarewatch inspect BUNDLE`: the manifest as readable tables (files, collectors,
// truncations, redaction counts), or the raw manifest with --json; control characters from the
// bundle are escaped either way.
import type { Command } from 'commander';
import { readManifest, type Manifest } from '../../bundle/index.js';
import { printableDeep, printableJson } from '../../log/printable.js';
import { action, type CommandModule } from '../command.js';
import { CliError, EXIT } from '../exit.js';
import { formatBytes } from '../../util/bytes.js';
import { requireReadable } from './verify.js';

function table(headers: string[], rows: string[][], rightAligned: number[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n') + '\n';
}

export function renderManifest(m: Manifest): string {
  let out = `bundle ${m.bundleId}\n`;
  out += `created ${m.createdAt}  reason ${m.reason}${m.trigger?.signature ? `  trigger ${m.trigger.signature}` : ''}\n`;
  out += `host ${m.host.hostname} (${m.host.kernel})  flarewatch ${m.tool.version}  schema ${m.schemaVersion}\n`;
  out += `content ${formatBytes(m.budget.contentBytes)} of ${formatBytes(m.budget.maxBytes)} budget\n\n`;
  out += table(
    ['path', 'bytes', 'sha256', 'truncated'],
    m.files.map((f) => [
      f.path,
      String(f.bytes),
      f.sha256.slice(0, 12),
      f.truncated ? `${f.truncated.strategy}, ${formatBytes(f.truncated.bytes_dropped)} dropped` : '',
    ]),
    [1],
  );
  out +=
    '\n' +
    table(
      ['collector', 'status', 'ms', 'error / notes'],
      m.collectors.map((c) => [c.name, c.status, String(c.durationMs), c.error ?? c.notes.slice(0, 1).join('')]),
      [2],
    );
  if (m.omitted.length)
    out +=
      '\n' +
      table(
        ['left out', 'bytes', 'reason'],
        m.omitted.map((o) => [o.source, String(o.bytes), o.reason]),
        [1],
      );
  const counts = Object.entries(m.redaction.countsByRule);
  out += `\nredaction: ${m.redaction.total} values (rules ${m.redaction.rulesVersion}, ${m.redaction.rulesHash.slice(0, 12)})\n`;
  if (counts.length)
    out += table(
      ['rule', 'count'],
      counts.map(([k, v]) => [k, String(v)]),
      [1],
    );
  return out;
}

export const command: CommandModule = {
  name: 'inspect <bundle>',
  summary: 'print a bundle manifest as a table',
  define(cmd: Command) {
    cmd.option('--json', 'print manifest.json as is').action(
      action(async (bundle: string, opts: { json?: boolean }) => {
        await requireReadable(bundle);
        let m: Manifest;
        try {
          m = await readManifest(bundle);
        } catch (err) {
          throw new CliError(`${bundle} is not a readable bundle: ${(err as Error).message}`, EXIT.PROBLEMS);
        }
        // A bundle may come from anywhere: nothing in it reaches the terminal as a control sequence.
        process.stdout.write(opts.json ? printableJson(m) + '\n' : renderManifest(printableDeep(m)));
        return EXIT.OK;
      }),
    );
  },
};
