// "1 page", "2 pages": counts in messages read as English.

/** `n` and the word, with an 's' unless n is 1 (or `many` for a plural that is not word + s). */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
