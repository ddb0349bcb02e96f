// `flarewatch classify`: reads log lines on stdin and writes one JSON object per line, in
// order: {"error","language","kind","target"}. Lines are classified on their own; with
// --multiline, lines that continue an already counted event say so.
import type { CommandModule } from '../command.js';
import { action, addSettingFlags, loadCliContext } from '../command.js';
import { EXIT } from '../exit.js';
import { CliError } from '../exit.js';
import { classifyLine, createStreamClassifier, createUnframer, loadUserRules, type Rule } from '../../detect/index.js';
import { CATALOGUE } from '../../tracers/index.js';

export function userRules(rulesFile: string | undefined): Rule[] | undefined {
  return rulesFile ? loadUserRules(rulesFile) : undefined;
}

export function checkTracer(key: unknown): string | undefined {
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !CATALOGUE.some((e) => e.key === key)) {
    throw new CliError(`--tracer must be one of ${CATALOGUE.map((e) => e.key).join(', ')}`);
  }
  return key;
}

export const command: CommandModule = {
  name: 'classify',
  summary: 'classify log lines read from stdin, one JSON object per line',
  define(cmd) {
    addSettingFlags(cmd, 'meta')
      .option('--tracer <key>', 'catalogue key of the source the lines come from (java, python, …)')
      .option('--multiline', 'track multi-line events: add "continuation" (true for lines of an already counted event)')
      .option('--unframe', 'unwrap CRI / Docker json-file framing first (joined partial lines produce one output)')
      .option('--details', 'also print "status" and "rule"');
    cmd.action(
      action(async (opts: Record<string, unknown>) => {
        const { loaded } = loadCliContext(opts, { stderr: true });
        const rules = userRules(loaded.config.rulesFile);
        const hint = checkTracer(opts.tracer);
        const stream = opts.multiline
          ? createStreamClassifier({ ...(hint ? { hint } : {}), ...(rules ? { rules } : {}) })
          : null;
        const unframer = opts.unframe ? createUnframer('auto') : null;
        const out: string[] = [];
        const flushOut = async () => {
          if (!out.length) return;
          const chunk = out.join('');
          out.length = 0;
          if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
        };
        // Fetched here, not imported: `scan` loads this module for checkTracer and userRules.
        const rl = process
          .getBuiltinModule('node:readline')
          .createInterface({ input: process.stdin, crlfDelay: Infinity });
        for await (const raw of rl) {
          let line = raw;
          if (unframer) {
            const u = unframer.push(raw);
            if (!u) continue;
            line = u.line;
          }
          const c = stream ? stream.push(line) : classifyLine(line, hint, rules);
          const row: Record<string, unknown> = { error: c.error, language: c.language, kind: c.kind, target: c.target };
          if (stream && 'continuation' in c) row.continuation = c.continuation;
          if (opts.details) {
            row.status = c.status;
            row.rule = c.rule;
          }
          out.push(JSON.stringify(row) + '\n');
          if (out.length >= 512) await flushOut();
        }
        await flushOut();
        return EXIT.OK;
      }),
    );
  },
};
