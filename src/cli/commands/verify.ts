// `flarewatch verify BUNDLE`: recomputes every checksum against the manifest and re-scans every
// entry with the redaction rules. Exit 0 when clean, 1 on a mismatch or a surviving secret.
// Findings name the entry, line and rule, never the matched text.
import type { Command } from 'commander';
import { verifyBundle } from '../../bundle/index.js';
import { harvestedRedactor } from '../../redact/index.js';
import { action, type CommandModule } from '../command.js';
import { CliError, EXIT } from '../exit.js';

export const command: CommandModule = {
  name: 'verify <bundle>',
  summary: 'recompute checksums and re-scan a bundle for secrets',
  define(cmd: Command) {
    cmd.option('--json', 'print the report as JSON').action(
      action(async (bundle: string, opts: { json?: boolean }) => {
        let report;
        try {
          report = await verifyBundle(bundle, harvestedRedactor(process.env));
        } catch (err) {
          throw new CliError(`cannot read ${bundle}: ${(err as Error).message}`, EXIT.PROBLEMS);
        }
        if (opts.json) {
          process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        } else {
          for (const p of report.problems) process.stdout.write(`${p.kind.padEnd(9)} ${p.path}: ${p.detail}\n`);
          const secrets = report.problems.filter((p) => p.kind === 'secret').length;
          const integrity = report.problems.length - secrets;
          process.stdout.write(
            report.ok
              ? `ok: ${report.entries} entries, every checksum matches, no secret found\n`
              : `FAILED: ${integrity} integrity problem(s), ${secrets} possible secret(s) in ${report.entries} entries\n`,
          );
        }
        return report.ok ? EXIT.OK : EXIT.PROBLEMS;
      }),
    );
  },
};
