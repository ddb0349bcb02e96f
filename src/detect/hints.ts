// Which of the rules' literal hints occur in a line, found in one pass over the line. A line
// that passes the anchor gate used to be searched once per hint of every rule (~100 substring
// searches): a Ruby debug log, whose every line names `transport.rb`, paid that on each line.
// Pure; case-sensitive, as the hints are.

export interface HintFinder {
  /** Every distinct hint; a hint's id is its index here. */
  readonly hints: readonly string[];
  /** The ids of the hints that occur in `line`, each once. */
  find(line: string): number[];
}

export function createHintFinder(hints: readonly string[]): HintFinder {
  const unique = [...new Set(hints)];
  // Hints by their first two characters (both ASCII, 7 bits each); the rest are searched whole.
  const byPair = new Uint16Array(1 << 14);
  const lists: number[][] = [];
  const whole: number[] = [];
  unique.forEach((h, id) => {
    const a = h.charCodeAt(0);
    const b = h.charCodeAt(1);
    if (!(a < 128 && b < 128)) {
      whole.push(id);
      return;
    }
    const pair = (a << 7) | b;
    let slot = byPair[pair] ?? 0;
    if (slot === 0) {
      lists.push([]);
      slot = byPair[pair] = lists.length;
    }
    lists[slot - 1]?.push(id);
  });
  return {
    hints: unique,
    find(line) {
      const found: number[] = [];
      for (const id of whole) if (line.includes(unique[id] ?? '')) found.push(id);
      let prev = line.charCodeAt(0);
      for (let i = 1; i < line.length; i++) {
        const c = line.charCodeAt(i);
        const slot = c < 128 && prev < 128 ? (byPair[(prev << 7) | c] ?? 0) : 0;
        prev = c;
        if (slot === 0) continue;
        for (const id of lists[slot - 1] ?? []) {
          if (!found.includes(id) && line.startsWith(unique[id] ?? '', i - 1)) found.push(id);
        }
      }
      return found;
    },
  };
}
