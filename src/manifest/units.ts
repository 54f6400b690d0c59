/** Parsing of the manifest's human units: durations ("90s", "5m") and sizes ("256Mi", "1G"). */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/
const DURATION_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }

export function isDuration(text: string): boolean {
  return DURATION.test(text)
}

/** Seconds in a duration such as "90s", "5m", "1h"; a bare number counts as seconds. */
export function durationSeconds(value: string | number): number {
  if (typeof value === 'number') return value
  const match = DURATION.exec(value.trim())
  if (!match) throw new Error(`not a duration: ${value}`)
  return Number(match[1]) * DURATION_SECONDS[match[2]]
}

const SIZE = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/
const SIZE_BYTES: Record<string, number> = {
  '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4,
}

export function isSize(text: string): boolean {
  return SIZE.test(text)
}

/** Bytes in a size such as "256Mi" or "1G". */
export function sizeBytes(value: string | number): number {
  if (typeof value === 'number') return value
  const match = SIZE.exec(value.trim())
  if (!match) throw new Error(`not a size: ${value}`)
  return Math.round(Number(match[1]) * SIZE_BYTES[match[2] ?? ''])
}

