// Text made mostly of fragments of the given words (whole, or missing their last or first
// character), short random strings and separators, so near misses and overlaps are common:
// the input the property tests of the byte matcher and the hint finder search.
import fc from 'fast-check';

export const fragmentText = (words: readonly string[], separators: readonly string[], maxParts: number) =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...words),
        fc.constantFrom(...words).map((w) => w.slice(0, -1)),
        fc.constantFrom(...words).map((w) => w.slice(1)),
        fc.string({ maxLength: 6 }),
        fc.constantFrom(...separators),
      ),
      { maxLength: maxParts },
    )
    .map((parts) => parts.join(''));
