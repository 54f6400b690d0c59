/** "Did you mean" suggestions by edit distance. */

export function editDistance(a: string, b: string): number {
  const previous = new Uint32Array(b.length + 1)
  for (let j = 0; j <= b.length; j++) previous[j] = j
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]
    previous[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return previous[b.length]
}

/** The closest candidate within a typo's reach, or undefined. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(input.length / 3))
  const lower = input.toLowerCase()
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const other = candidate.toLowerCase()
    // The distance is at least the difference in length: skip candidates that cannot be nearer, or near enough.
    if (Math.abs(other.length - lower.length) >= Math.min(bestDistance, limit + 1)) continue
    const distance = editDistance(lower, other)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return bestDistance <= limit ? best : undefined
}

export function didYouMean(input: string, candidates: readonly string[]): string {
  const match = closest(input, candidates)
  return match ? `; did you mean "${match}"?` : ''
}
