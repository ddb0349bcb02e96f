// `flarewatch scan FILE|DIR…`: reads log files (plain, CRI, Docker json-file, gzip) and
// reports connection errors per language, kind and target. Exit 1 when errors were found.
import type { CommandModule } from '../command.js';
import { action, addSettingFlags, loadCliContext } from '../command.js';
import { CliError, EXIT } from '../exit.js';
import { MAX_EXAMPLE_CHARS, scanPaths, type LogFormat, type ScanReport } from '../../detect/index.js';
import { resolveLogSources, tracerForFile } from '../../tracers/index.js';
import { checkTracer, userRules } from './classify.js';
import { formatBytes } from '../../util/bytes.js';

const FORMATS: readonly LogFormat[] = ['auto', 'plain', 'cri', 'docker-json'];

/** 1954329 → "1,954,329" (what toLocaleString('en-US') says, without loading ICU's number data). */
export function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Example lines are redacted (secrets from this environment included), then capped. The
 * engine keeps them raw and few; the redactor is loaded only when there is one to show,
 * so a scan of clean logs does not pay for it.
 */
async function redactExamples(report: ScanReport): Promise<void> {
  const buckets = Object.values(report.byLanguage).filter((b) => b.examples.length > 0);
  if (!buckets.length) return;
  const { createRedactor, secretValuesFromEnv } = await import('../../redact/index.js');
  const redactor = createRedactor();
  redactor.harvest(secretValuesFromEnv(process.env), 'environment');
  for (const b of buckets)
    for (const e of b.examples) {
      const clean = redactor.text(e.text);
      e.text = clean.length > MAX_EXAMPLE_CHARS ? `${clean.slice(0, MAX_EXAMPLE_CHARS)}…` : clean;
    }
}

function span(b: { first: string | null; last: string | null }): string {
  if (!b.first) return '';
  return b.first === b.last ? `at ${b.first}` : `${b.first} … ${b.last}`;
}

export function renderReport(r: ScanReport): string {
  const lines: string[] = [];
  lines.push(
    `Scanned ${r.files} file(s), ${formatBytes(r.bytes)}, ${groupThousands(r.lines)} lines: ${r.errors} connection error(s)`,
  );
  const langs = Object.entries(r.byLanguage).sort((a, b) => b[1].errors - a[1].errors);
  if (langs.length) {
    lines.push('', 'By language:');
    const w = Math.max(...langs.map(([k]) => k.length));
    for (const [k, b] of langs) {
      const kinds = Object.entries(b.byKind)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ');
      lines.push(`  ${k.padEnd(w)}  ${String(b.errors).padStart(6)}  ${kinds}  ${span(b)}`.trimEnd());
    }
  }
  const kinds = Object.entries(r.byKind).sort((a, b) => b[1].errors - a[1].errors);
  if (kinds.length) {
    lines.push('', 'By kind:');
    const w = Math.max(...kinds.map(([k]) => k.length));
    for (const [k, b] of kinds) lines.push(`  ${k.padEnd(w)}  ${String(b.errors).padStart(6)}  ${span(b)}`.trimEnd());
  }
  const targets = Object.entries(r.targets).sort((a, b) => b[1].errors - a[1].errors);
  if (targets.length) {
    lines.push('', 'Targets:');
    const w = Math.min(60, Math.max(...targets.map(([k]) => k.length)));
    for (const [k, b] of targets.slice(0, 20))
      lines.push(`  ${k.padEnd(w)}  ${String(b.errors).padStart(6)}  (${b.languages.join(', ')})`);
    if (targets.length > 20 || r.otherTargets)
      lines.push(`  … ${targets.length - Math.min(20, targets.length) + r.otherTargets} more`);
  }
  const examples = langs.flatMap(([k, b]) => b.examples.map((e) => ({ lang: k, ...e })));
  if (examples.length) {
    lines.push('', 'Examples:');
    for (const e of examples) lines.push(`  [${e.lang}/${e.kind}] ${e.file}:${e.line}`, `    ${e.text}`);
  }
  if (r.unreadable.length) {
    lines.push('', 'Not read, or not completely:');
    for (const u of r.unreadable) lines.push(`  ${u.path}: ${u.reason}`);
  }
  return lines.join('\n') + '\n';
}

export const command: CommandModule = {
  name: 'scan <paths...>',
  summary: 'find connection errors in log files or directories',
  define(cmd) {
    addSettingFlags(cmd, 'meta')
      .option('--json', 'machine-readable report')
      .option('--format <format>', `framing of the files: ${FORMATS.join('|')}`, 'auto')
      .option('--tracer <key>', 'attribute lines without a recognisable prefix to this catalogue key')
      .option('--examples <n>', 'example lines per language', '3')
      .option(
        '--jobs <n>',
        'threads that read files (default: one per core, at most 5, for 512 MiB or more in several files)',
      );
    cmd.action(
      action(async (paths: string[], opts: Record<string, unknown>) => {
        const { loaded } = loadCliContext(opts, { stderr: true });
        const rules = userRules(loaded.config.rulesFile);
        const format = String(opts.format) as LogFormat;
        if (!FORMATS.includes(format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}`);
        const maxExamples = Number(opts.examples);
        if (!Number.isInteger(maxExamples) || maxExamples < 0)
          throw new CliError('--examples must be a whole number >= 0');
        const jobs = opts.jobs === undefined ? undefined : Number(opts.jobs);
        if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1))
          throw new CliError('--jobs must be a whole number >= 1');
        const forced = checkTracer(opts.tracer);
        const sources = resolveLogSources(process.env);
        const report = await scanPaths(paths, {
          format,
          maxExamples,
          example: (line) => line,
          hintFor: (f) => forced ?? tracerForFile(f, sources),
          ...(jobs ? { workers: jobs - 1 } : {}),
          ...(rules ? { rules } : {}),
        });
        await redactExamples(report);
        if (opts.json) {
          process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        } else {
          process.stdout.write(renderReport(report));
        }
        if (report.files === 0 && report.unreadable.length) {
          process.stderr.write(
            `flarewatch scan: nothing could be read (${report.unreadable.map((u) => `${u.path}: ${u.reason}`).join('; ')})\n`,
          );
          return EXIT.USAGE;
        }
        return report.errors > 0 ? EXIT.PROBLEMS : EXIT.OK;
      }),
    );
  },
};
