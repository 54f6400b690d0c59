/** Kubernetes resource quantities read back: "250m" CPU, "1.5Gi" or "128974848" bytes. */

const SUFFIX: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
}

function parse(quantity: string): number {
  const match = /^([+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(m|u|n|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(quantity.trim())
  if (!match) return 0
  const value = Number(match[1])
  const suffix = match[2] ?? ''
  if (suffix === 'm') return value / 1e3
  if (suffix === 'u') return value / 1e6
  if (suffix === 'n') return value / 1e9
  return value * SUFFIX[suffix]
}

export const cpuCores = (quantity: string): number => parse(quantity)
export const memoryBytes = (quantity: string): number => parse(quantity)
