// Configuration stage: the one settings table (names, parsers, defaults, help), loading and
// validating the sources (flags > env > .env > config file > defaults), derived defaults
// such as the state directory and the Agent URL, and flarewatch's private directories.
export {
  SETTINGS,
  META_SETTINGS,
  settingByEnv,
  settingRange,
  type Config,
  type SettingSpec,
  type SettingKey,
  type SettingEnv,
} from './settings.js';
export {
  loadConfig,
  applyEnvFile,
  rootStateNotice,
  readSettingsFile,
  MAX_SETTINGS_FILE_BYTES,
  displayValue,
  ConfigError,
  SOURCE_LABEL,
  type LoadedConfig,
  type LoadOptions,
  type ResolvedSetting,
  type Source,
} from './load.js';
export {
  resolveAgentUrl,
  DEFAULT_APM_SOCKET,
  SSI_APM_SOCKETS,
  DEFAULT_AGENT_PORT,
  type AgentUrlResolution,
} from './agent-url.js';
export { defaultBaseDir } from './paths.js';
export { ensurePrivateDir } from './dirs.js';
export { renderExampleEnv } from './example-env.js';
export { parseBytes, parseSeconds, TIMER_MAX_SECONDS } from './values.js';
