// `flarewatch upload BUNDLE`: send one bundle to Datadog support (intake or local Agent)
// or to a pre-signed URL. Asks first on a terminal; without one it needs --yes (or
// FLAREWATCH_UPLOAD=auto, the operator's standing consent). Exit 0 uploaded, 1 not
// uploaded (failure or declined), 2 usage or configuration error.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import cliProgress from 'cli-progress';
import type { CommandModule } from '../command.js';
import { action, addSettingFlags, loadCliContext } from '../command.js';
import { CliError, EXIT, type ExitCode } from '../exit.js';
import {
  ROUTES,
  UploadUsageError,
  VIA_CHOICES,
  chooseRoute,
  createUploadSpool,
  isViaChoice,
  maskEmail,
  readApiKey,
  uploadBundle,
  uploadOptionsFromConfig,
  ApiKeyError,
  type Via,
} from '../../upload/index.js';
import { createLogger } from '../../log/logger.js';
import { formatBytes } from '../../util/bytes.js';

/** Below this a progress bar would flash and vanish. */
const PROGRESS_MIN_BYTES = 1024 * 1024;

/** The route chooseRoute() picks; none available is a result (exit 1), bad settings a usage error. */
async function settleRoute(ask: Omit<Parameters<typeof chooseRoute>[0], 'probeTimeoutMs'>): Promise<Via> {
  let choice: Awaited<ReturnType<typeof chooseRoute>>;
  try {
    choice = await chooseRoute({ ...ask, probeTimeoutMs: 3000 });
  } catch (err) {
    if (err instanceof UploadUsageError) throw new CliError(err.message);
    throw err;
  }
  if (choice.via === null) throw new CliError(`not uploaded: ${choice.message}`, EXIT.PROBLEMS);
  return choice.via;
}

/** A bar on stderr that starts on the first report, when the total is known. */
function progressBar(): { update: (sent: number, total: number) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'uploading [{bar}] {percentage}% {value}/{total} bytes | {eta}s left',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(sent, total) {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(sent);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}

export const command: CommandModule = {
  name: 'upload <bundle>',
  summary: 'attach a bundle to a support ticket (Datadog intake, local Agent, or a pre-signed URL)',
  define(cmd) {
    addSettingFlags(cmd)
      .option(
        '--via <via>',
        `destination: ${VIA_CHOICES.join('|')} (FLAREWATCH_UPLOAD_VIA; auto: the Agent when it answers and no DD_API_KEY is set, else the intake)`,
      )
      .option(
        '--url <url>',
        'pre-signed HTTPS PUT URL (S3, GCS, Azure SAS) from your support portal; implies --via url',
      )
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--json', 'print the result as JSON on stdout')
      .addHelpText(
        'after',
        '\nDD_API_KEY or DD_API_KEY_FILE authenticate intake uploads; DD_SITE picks the Datadog site;\n' +
          'HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured. Only the last 4 characters of the key are ever shown.\n' +
          'Examples:\n' +
          '  flarewatch upload /var/lib/flarewatch/bundles/flarewatch-host-20260101.zip --case-id 1234567 --email me@example.com\n' +
          '  flarewatch upload bundle.zip --via agent --case-id 1234567 --yes\n' +
          "  flarewatch upload bundle.zip --url 'https://bucket.s3.amazonaws.com/case.zip?X-Amz-Signature=…' --yes",
      );
    cmd.action(
      action(async (bundleArg: string, opts: Record<string, unknown>): Promise<ExitCode> => {
        const { loaded } = loadCliContext(opts, { stderr: true });
        const config = loaded.config;
        const requested = typeof opts.via === 'string' ? opts.via.trim().toLowerCase() : undefined;
        if (requested !== undefined && !isViaChoice(requested)) {
          throw new CliError(`--via "${String(opts.via).slice(0, 20)}" is not one of ${VIA_CHOICES.join('|')}`);
        }
        const url = typeof opts.url === 'string' ? opts.url : undefined;
        if (requested === 'url' && !url) throw new CliError('--via url needs --url with the pre-signed URL');
        if (url && requested && requested !== 'url' && requested !== 'auto')
          throw new CliError(`--url goes with --via url, not --via ${requested}`);

        const bundle = resolve(bundleArg);
        let size: number;
        try {
          const st = await stat(bundle);
          if (!st.isFile()) throw new CliError(`${bundle} is not a file`);
          size = st.size;
        } catch (err) {
          if (err instanceof CliError) throw err;
          throw new CliError(`${bundle} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
        }

        // The command prints its own result; from the upload itself only retries and failures
        // are worth a log line, unless the user asked for debug output.
        const uploadLogger = createLogger({
          level: config.logLevel === 'debug' ? 'debug' : 'warn',
          format: config.logFormat,
          write: (l) => process.stderr.write(l + '\n'),
          isTTY: process.stderr.isTTY,
        });
        const base = uploadOptionsFromConfig(config, { logger: uploadLogger });
        let apiKeySet: boolean;
        try {
          apiKeySet = (await readApiKey(process.env)) !== undefined;
        } catch (err) {
          if (err instanceof ApiKeyError) throw new CliError(err.message);
          throw err;
        }
        // Settle "auto" now, the way uploadBundle would, so the question names the real destination.
        const via = await settleRoute({
          want: url ? 'url' : (requested ?? config.uploadVia),
          url,
          apiKeySet,
          agentUrl: config.agentUrl,
          allowHttp: config.uploadAllowHttp,
        });
        const destination = ROUTES[via].describe({
          caseId: base.caseId,
          agentUrl: config.agentUrl,
          url,
          intakeBaseUrl: base.intakeBaseUrl,
          site: process.env.DD_SITE,
        });
        const who = [base.caseId ? `case ${base.caseId}` : 'a new case', base.email ? maskEmail(base.email) : undefined]
          .filter(Boolean)
          .join(', ');

        if (!opts.yes) {
          const interactive = process.stdin.isTTY && process.stderr.isTTY;
          if (interactive) {
            const yes = await confirm(
              `Upload ${bundle} (${formatBytes(size)}) to ${destination}${via === 'url' ? '' : ` for ${who}`}? [y/N] `,
            );
            if (!yes) {
              process.stderr.write('flarewatch upload: not uploaded (declined)\n');
              return EXIT.PROBLEMS;
            }
          } else if (config.uploadPolicy !== 'auto') {
            throw new CliError(
              'no terminal to confirm on: pass --yes to upload without asking (FLAREWATCH_UPLOAD=auto also counts as consent)',
            );
          }
        }

        const bar = process.stderr.isTTY && size >= PROGRESS_MIN_BYTES && !opts.json ? progressBar() : undefined;
        const result = await uploadBundle(bundle, {
          ...base,
          via,
          ...(url ? { url } : {}),
          ...(bar ? { onProgress: bar.update } : {}),
        });
        bar?.stop();

        if (result.ok) {
          // A bundle the daemon had queued is done too: unpin it.
          await createUploadSpool(config.stateDir)
            .markUploaded(bundle, result)
            .catch(() => undefined);
        }
        if (opts.json) {
          process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        } else if (result.ok) {
          const lines = [
            `Uploaded ${bundle} (${formatBytes(result.bytes)}) via ${result.via} to ${result.target}${result.route && result.route !== 'direct' ? ` (${result.route})` : ''}.`,
          ];
          if (result.caseId) lines.push(`Case id: ${result.caseId}`);
          if (result.requestUuid) lines.push(`Request id: ${result.requestUuid}`);
          process.stdout.write(lines.join('\n') + '\n');
        } else {
          const tries = result.attempts > 1 ? ` after ${result.attempts} attempts` : '';
          process.stderr.write(`flarewatch upload: not uploaded${tries}: ${result.message}\n`);
        }
        if (result.ok) return EXIT.OK;
        return result.failure === 'usage' ? EXIT.USAGE : EXIT.PROBLEMS;
      }),
    );
  },
};
