// "1 page", "2 pages": counts in messages read as English.

/** `n` and the word, with an 's' unless n is 1. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
