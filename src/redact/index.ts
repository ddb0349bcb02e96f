// The redaction stage: everything that decides what is a secret and replaces it before
// text leaves the machine — free-text rules (data, with literal hints), structured config
// formats, harvested literal values, replacement (mask / last-4 / keyed fingerprint) and
// a value-free report. Other stages use createRedactor() and nothing below it.
export { createRedactor } from './redactor.js';
export type { Redactor } from './redactor.js';
export type { RedactionReport } from './report.js';
export { DEFAULT_RULES, rulesHash } from './rules.js';
export type { RedactionRule } from './rules.js';
export { isSecretName, isPlaceholderValue } from './names.js';
export { loadOrCreateFingerprintKey } from './key.js';
export { inferFormat, DOCUMENT_FORMATS } from './format.js';
export type { DocumentFormat } from './format.js';
export { harvestSecrets, isHarvestable, isPlainPath, secretValuesFromEnv } from './harvest.js';
export { harvestedRedactor } from './harvested.js';
