// `flarewatch verify BUNDLE`: recomputes every checksum against the manifest and re-scans every
// entry with the redaction rules. Exit 0 when clean, 1 on a mismatch or a surviving secret,
// 2 when the file cannot be opened. Findings name the entry, line and rule, never the matched
// text, and everything taken from the bundle is printed with its control characters escaped.
// It checks integrity and secrets, not authenticity (nothing in a bundle is signed).
import { access, constants } from 'node:fs/promises';
import type { Command } from 'commander';
import { verifyBundle, type VerifyReport } from '../../bundle/index.js';
import { harvestedRedactor } from '../../redact/index.js';
import { printableDeep, printableJson } from '../../log/printable.js';
import { action, type CommandModule } from '../command.js';
import { CliError, EXIT } from '../exit.js';

/** A path that cannot be opened is a usage error (2), unlike a bundle that fails its checks (1). */
export async function requireReadable(path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    throw new CliError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.USAGE);
  }
}

function renderReport(report: VerifyReport): string {
  const lines = report.problems.map((p) => `${p.kind.padEnd(9)} ${p.path}: ${p.detail}`);
  const secrets = report.problems.filter((p) => p.kind === 'secret').length;
  const integrity = report.problems.length - secrets;
  lines.push(
    report.ok
      ? `ok: ${report.entries} entries, every checksum matches, no secret found`
      : `FAILED: ${integrity} integrity problem(s), ${secrets} possible secret(s) in ${report.entries} entries`,
  );
  return lines.join('\n') + '\n';
}

export const command: CommandModule = {
  name: 'verify <bundle>',
  summary: 'recompute checksums and re-scan a bundle for secrets (integrity, not authenticity)',
  define(cmd: Command) {
    cmd.option('--json', 'print the report as JSON').action(
      action(async (bundle: string, opts: { json?: boolean }) => {
        await requireReadable(bundle);
        let report: VerifyReport;
        try {
          report = printableDeep(await verifyBundle(bundle, harvestedRedactor(process.env)));
        } catch (err) {
          throw new CliError(`${bundle} is not a readable bundle: ${(err as Error).message}`, EXIT.PROBLEMS);
        }
        process.stdout.write(opts.json ? printableJson(report) + '\n' : renderReport(report));
        return report.ok ? EXIT.OK : EXIT.PROBLEMS;
      }),
    );
  },
};
