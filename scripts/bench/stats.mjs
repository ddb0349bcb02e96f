// Figures the benchmark modules share.

/** The median of `xs` (the mean of the middle two for an even count), or null when empty. */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
