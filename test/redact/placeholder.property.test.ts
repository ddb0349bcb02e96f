// isPlaceholderValue skips its pattern list for long values that cannot open a placeholder
// (the engine asks for every `key=value` on a line with a secret hint). The shortcut must
// answer as the whole list does, for any value, and stay true to the list as it grows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isPlaceholderValue,
  LONG_PLACEHOLDER_START,
  LONGEST_PLACEHOLDER_WORD,
  PLACEHOLDER_PATTERNS,
} from '../../src/redact/names.js';

const byList = (value: string) => {
  const v = value.trim();
  return v === '' || PLACEHOLDER_PATTERNS.some((re) => re.test(v));
};

/** Values built from placeholder pieces, other text and padding, so both answers are common. */
const value = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '***',
        '********',
        '[REDACTED]',
        '[redacted:hmac:',
        '*anchor',
        '${',
        '}',
        '$VAR_NAME',
        '%APPDATA%',
        '{{',
        'ENC[',
        ']',
        '<',
        '>',
        'TRUE',
        'undefined',
        'changeme',
        'Vault:',
        'ARN:aws:secretsmanager:',
        '%-10s',
        '%(name)s',
        '{0}',
        '$(',
        '@VAR@',
        'kerberos',
        'n/a',
        'oauth2',
      ),
      fc.string({ maxLength: 12 }),
      fc.constantFrom(' ', '\t', 'x', 'Z', '9'),
    ),
    { maxLength: 5 },
  )
  .map((parts) => parts.join(''));

describe('isPlaceholderValue', () => {
  it('answers as the whole pattern list for any value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(isPlaceholderValue(v)).toBe(byList(v));
      }),
      { numRuns: 5000 },
    );
  });

  it('knows the first character of every pattern that can match a long value', () => {
    // Each pattern either opens with a listed character (both cases when case-insensitive)
    // or is a list of words no longer than the shortcut's limit.
    for (const re of PLACEHOLDER_PATTERNS) {
      const words = /^\^\(\?:([\w\\/|?]+)\)\$$/.exec(re.source)?.[1];
      if (words) {
        const longest = Math.max(...words.split('|').map((w) => w.replace(/\?$/, '').replace(/\\/g, '').length));
        expect(longest, re.source).toBeLessThanOrEqual(LONGEST_PLACEHOLDER_WORD);
        continue;
      }
      const first = /^\^\\?(.)/.exec(re.source)?.[1] ?? '';
      const cases = re.flags.includes('i') ? [first.toLowerCase(), first.toUpperCase()] : [first];
      for (const c of cases) expect(LONG_PLACEHOLDER_START.has(c), re.source).toBe(true);
    }
  });

  it('still finds long placeholders and rejects long tokens', () => {
    expect(isPlaceholderValue('ENC[k8s_secret@ns/name/key]')).toBe(true);
    expect(isPlaceholderValue('vault:secret/data/app#password')).toBe(true);
    expect(isPlaceholderValue('${DATABASE_PASSWORD_FROM_ENV}')).toBe(true);
    expect(isPlaceholderValue('ghp_QcflnOqPrCWAuCJko6h7eZVO76UqF6sVePNn')).toBe(false);
    expect(isPlaceholderValue('Undefined')).toBe(true);
  });
});
