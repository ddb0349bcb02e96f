// The redaction stage: everything that decides what is a secret and replaces it before
// text leaves the machine — free-text rules (data, with literal hints), structured config
// formats, harvested literal values, replacement (mask / last-4 / keyed fingerprint) and
// a value-free report. Other stages use createRedactor() and nothing below it.
export { createRedactor } from './redactor.js';
export type { Redactor, RedactorOptions, DocumentResult } from './redactor.js';
export type { RedactionReport } from './report.js';
export { DEFAULT_RULES, RULES_VERSION, rulesHash, MAX_MATCH_CHARS } from './rules.js';
export type { RedactionRule, Strategy } from './rules.js';
export { isSecretName, isPlaceholderValue, normalizeName } from './names.js';
export { loadOrCreateFingerprintKey, FINGERPRINT_KEY_FILE } from './key.js';
export { inferFormat, DOCUMENT_FORMATS } from './format.js';
export type { DocumentFormat } from './format.js';
export { MASK } from './replace.js';
export type { ReplacementMode } from './replace.js';
export { MAX_LINE_CHARS } from './scan.js';
export { harvestSecrets, isHarvestable, isPlainPath, MIN_HARVEST_LENGTH, secretValuesFromEnv } from './harvest.js';
export type { HarvestOptions } from './harvest.js';
export { PROVIDER_FORMATS } from './providers.js';
export type { ProviderFormat } from './providers.js';
export { harvestedRedactor } from './harvested.js';
