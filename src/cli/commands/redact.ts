// `flarewatch redact [FILE]`: writes FILE (or stdin) to stdout with secrets replaced.
// The format comes from --format or the file name; config formats are parsed and fall back
// to text rules when they do not parse. --report prints the value-free JSON report on stderr.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { once } from 'node:events';
import type { Command } from 'commander';
import { action, addSettingFlags, loadCliContext, type CommandModule } from '../command.js';
import { CliError, EXIT } from '../exit.js';
import {
  createRedactor,
  DOCUMENT_FORMATS,
  inferFormat,
  loadOrCreateFingerprintKey,
  secretValuesFromEnv,
  type DocumentFormat,
  type Redactor,
} from '../../redact/index.js';

/** Text files are streamed in chunks cut at line ends, so a multi-GB log never sits in memory. */
const CHUNK_BYTES = 4 * 1024 * 1024;

async function streamText(file: string, redactor: Redactor): Promise<void> {
  let carry = '';
  const write = async (s: string) => {
    if (s && !process.stdout.write(s)) await once(process.stdout, 'drain');
  };
  try {
    for await (const piece of createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK_BYTES })) {
      const text = carry + (piece as string);
      const cut = text.lastIndexOf('\n') + 1;
      carry = text.slice(cut);
      await write(redactor.text(text.slice(0, cut), file));
    }
  } catch (err) {
    throw new CliError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      EXIT.USAGE,
    );
  }
  await write(redactor.text(carry, file));
}

interface RedactOpts {
  format?: string;
  report?: boolean;
  fingerprint?: boolean;
  harvestEnv?: boolean;
  [k: string]: unknown;
}

async function readInput(file: string | undefined): Promise<string> {
  if (file === undefined || file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      EXIT.USAGE,
    );
  }
}

export const command: CommandModule = {
  name: 'redact [file]',
  summary: 'redact secrets from a file or stdin',
  define(cmd: Command) {
    addSettingFlags(cmd, 'meta')
      .option(
        '--format <format>',
        `input format: ${DOCUMENT_FORMATS.join('|')} (default: from the file name, else text)`,
      )
      .option('--report', 'write the JSON redaction report (counts, no values) to stderr')
      .option('--fingerprint', 'replace secrets by keyed HMAC fingerprints (FLAREWATCH_REDACT_FINGERPRINT)')
      .option(
        '--harvest-env',
        'also mask the values of secret-named variables of this environment wherever they appear',
      )
      .action(
        action(async (file: string | undefined, opts: RedactOpts) => {
          if (opts.format !== undefined && !DOCUMENT_FORMATS.includes(opts.format as DocumentFormat)) {
            throw new CliError(`--format must be one of ${DOCUMENT_FORMATS.join(', ')}`, EXIT.USAGE);
          }
          const { loaded } = loadCliContext(opts, { stderr: true });
          const fingerprint = Boolean(opts.fingerprint) || loaded.config.redactFingerprint;
          const redactor = createRedactor(
            fingerprint
              ? {
                  replacement: 'fingerprint',
                  fingerprintKey: await loadOrCreateFingerprintKey(loaded.config.stateDir),
                }
              : {},
          );
          if (opts.harvestEnv) {
            redactor.harvest(secretValuesFromEnv(process.env), 'environment');
          }
          const fromStdin = file === undefined || file === '-';
          const name = fromStdin ? 'stdin' : file;
          const format = (opts.format as DocumentFormat | undefined) ?? (fromStdin ? 'auto' : inferFormat(file));
          if (!fromStdin && format === 'text') {
            const st = await stat(file).catch((err: unknown) => {
              const e = err as NodeJS.ErrnoException;
              throw new CliError(`cannot read ${file}: ${e.code ?? e.message}`, EXIT.USAGE);
            });
            if (st.isDirectory()) throw new CliError(`cannot read ${file}: EISDIR`, EXIT.USAGE);
            await streamText(file, redactor);
            if (opts.report) process.stderr.write(JSON.stringify(redactor.report(), null, 2) + '\n');
            return EXIT.OK;
          }
          const input = await readInput(file);
          const result = redactor.document(input, format, name);
          process.stdout.write(result.output);
          if (!result.parsed)
            process.stderr.write(
              `flarewatch redact: ${name} did not parse as ${result.format}; text rules applied (${result.error})\n`,
            );
          if (opts.report) process.stderr.write(JSON.stringify(redactor.report(), null, 2) + '\n');
          return EXIT.OK;
        }),
      );
  },
};
