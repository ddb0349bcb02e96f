// `flarewatch config`: the effective settings and where each came from (secrets masked).
import type { CommandModule } from '../command.js';
import { action, addSettingFlags, loadCliContext } from '../command.js';
import { displayValue, SOURCE_LABEL } from '../../config/load.js';
import { renderExampleEnv } from '../../config/example-env.js';
import { EXIT } from '../exit.js';
import { harvestedRedactor } from '../../redact/index.js';

export const command: CommandModule = {
  name: 'config',
  summary: 'print the effective configuration and the source of each value',
  define(cmd) {
    addSettingFlags(cmd)
      .option('--json', 'machine-readable output')
      .option('--example-env', 'print every setting with its default, as a documented .env file');
    cmd.action(
      action((opts: Record<string, unknown>) => {
        if (opts.exampleEnv) {
          process.stdout.write(renderExampleEnv());
          return EXIT.OK;
        }
        const { loaded } = loadCliContext(opts, { stderr: true });
        const redactor = harvestedRedactor(process.env); // URL passwords in values and derived values
        const rows = loaded.settings.map((s) => ({
          setting: s.spec.env,
          key: s.spec.key,
          value: redactor.text(displayValue(s.spec, s.value)),
          source: s.source,
          ...(s.note ? { note: s.note } : {}),
        }));
        if (opts.json) {
          const out = {
            envFile: loaded.envFile ?? null,
            configFile: loaded.configFile ?? null,
            warnings: loaded.warnings,
            settings: rows,
          };
          process.stdout.write(JSON.stringify(out, null, 2) + '\n');
          return EXIT.OK;
        }
        const w1 = Math.max(...rows.map((r) => r.setting.length));
        const w2 = Math.min(48, Math.max(5, ...rows.map((r) => r.value.length)));
        const lines = [`${'SETTING'.padEnd(w1)}  ${'VALUE'.padEnd(w2)}  SOURCE`];
        for (const r of rows) {
          const src = SOURCE_LABEL[r.source] + (r.note ? ` (${r.note})` : '');
          lines.push(`${r.setting.padEnd(w1)}  ${r.value.padEnd(w2)}  ${src}`);
        }
        lines.push('');
        lines.push(`.env file:   ${loaded.envFile ?? '(none)'}`);
        lines.push(`config file: ${loaded.configFile ?? '(none)'}`);
        process.stdout.write(lines.join('\n') + '\n');
        return EXIT.OK;
      }),
    );
  },
};
