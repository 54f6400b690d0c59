/** Quoting for the boot scripts cloud providers write (user data, startup scripts): POSIX shell, no expansion. */

/** A value as one shell word: single quotes, with embedded ones closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`
}

/** A word as is when it holds no shell syntax, else quoted: keeps scripts readable. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : shellQuote(word)
}
