/** A manifest with `count` services; with `problems`, every other service has a misspelt key. */
export function manifestOf(count: number, options?: { problems?: boolean }): string
