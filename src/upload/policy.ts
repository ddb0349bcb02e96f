// What the daemon does with a fresh threshold bundle under FLAREWATCH_UPLOAD, and how the
// settings turn into uploadBundle options. Pure: the daemon does the I/O.
import type { Config } from '../config/settings.js';
import type { Logger } from '../log/logger.js';
import type { UploadSpoolOptions } from './spool.js';
import type { UploadOptions } from './upload.js';

export type AutoUploadAction =
  /** Queue it in the spool and drain. */
  | { action: 'enqueue'; meta: { caseId: string; email?: string; via: Config['uploadVia'] } }
  /** Tell the operator how to send it by hand. */
  | { action: 'suggest'; hint: string }
  | { action: 'none'; reason: string };

type UploadSettings = Pick<Config, 'uploadPolicy' | 'uploadCaseId' | 'uploadEmail' | 'uploadVia'>;

export function autoUploadDecision(config: UploadSettings, bundlePath: string): AutoUploadAction {
  const suggest = `flarewatch upload ${bundlePath}${config.uploadCaseId ? '' : ' --case-id N'}`;
  switch (config.uploadPolicy) {
    case 'never':
      return { action: 'none', reason: 'FLAREWATCH_UPLOAD=never' };
    case 'confirm':
      return { action: 'suggest', hint: `to send it to Datadog support, run: ${suggest}` };
    case 'auto':
      if (!config.uploadCaseId) {
        return {
          action: 'suggest',
          hint: `FLAREWATCH_UPLOAD=auto needs FLAREWATCH_CASE_ID; until then send it by hand: ${suggest}`,
        };
      }
      return {
        action: 'enqueue',
        meta: {
          caseId: config.uploadCaseId,
          via: config.uploadVia,
          ...(config.uploadEmail ? { email: config.uploadEmail } : {}),
        },
      };
  }
}

type UploadConfig = Pick<
  Config,
  | 'agentUrl'
  | 'uploadCaseId'
  | 'uploadEmail'
  | 'uploadUrl'
  | 'uploadAllowHttp'
  | 'uploadTimeout'
  | 'uploadAttempts'
  | 'uploadVia'
>;

/** uploadBundle options from the settings; DD_API_KEY, DD_SITE and proxies come from `env`. */
export function uploadOptionsFromConfig(
  config: UploadConfig,
  extra: { env?: Record<string, string | undefined>; logger?: Logger } = {},
): UploadOptions {
  return {
    via: config.uploadVia,
    agentUrl: config.agentUrl,
    allowHttp: config.uploadAllowHttp,
    timeoutMs: Math.round(config.uploadTimeout * 1000),
    attempts: config.uploadAttempts,
    ...(config.uploadCaseId ? { caseId: config.uploadCaseId } : {}),
    ...(config.uploadEmail ? { email: config.uploadEmail } : {}),
    ...(config.uploadUrl ? { intakeBaseUrl: config.uploadUrl } : {}),
    ...(extra.env ? { env: extra.env } : {}),
    ...(extra.logger ? { logger: extra.logger } : {}),
  };
}

type SpoolConfig = UploadConfig & Pick<Config, 'uploadSpoolRetryMax' | 'uploadSpoolMaxAge'>;

/** createUploadSpool options from the settings (the daemon's auto mode). */
export function spoolOptionsFromConfig(
  config: SpoolConfig,
  extra: { env?: Record<string, string | undefined>; logger?: Logger } = {},
): UploadSpoolOptions {
  return {
    uploadOptions: uploadOptionsFromConfig(config, extra),
    retryMaxMs: Math.round(config.uploadSpoolRetryMax * 1000),
    maxAgeMs: Math.round(config.uploadSpoolMaxAge * 1000),
    ...(extra.logger ? { logger: extra.logger } : {}),
  };
}
