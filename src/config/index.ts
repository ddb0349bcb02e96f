// Configuration stage: the one settings table (names, parsers, defaults, help), loading and
// validating the sources (flags > env > .env > config file > defaults), derived defaults
// such as the state directory and the Agent URL, and flarewatch's private directories.
export { SETTINGS, type Config, type SettingSpec } from './settings.js';
export { displayValue } from './load.js';
export { resolveAgentUrl, DEFAULT_APM_SOCKET, SSI_APM_SOCKETS } from './agent-url.js';
export { ensurePrivateDir } from './dirs.js';
