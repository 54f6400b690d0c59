/**
 * Private addresses in a subnet, as Azure hands them to IP configurations
 * (here: load balancer frontends in a subnet). Azure reserves a subnet's
 * network address, the next three and the broadcast address; a Dynamic
 * configuration takes the lowest free address, a Static one names its own.
 */
function toNumber(address: string): number | undefined {
  const parts = address.split('.').map(Number)
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return undefined
  return parts.reduce((sum, part) => sum * 256 + part, 0)
}

function toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')
}

export interface SubnetRange { network: number; size: number }

export function rangeOf(prefix: string): SubnetRange | undefined {
  const [base, bits] = prefix.split('/')
  const start = toNumber(base)
  const length = Number(bits)
  if (start === undefined || !Number.isInteger(length) || length < 0 || length > 32) return undefined
  const size = 2 ** (32 - length)
  return { network: start - (start % size), size }
}

export function isValidAddress(address: string): boolean {
  return toNumber(address) !== undefined
}

export function inRange(range: SubnetRange, address: string): boolean {
  const value = toNumber(address)
  return value !== undefined && value >= range.network && value < range.network + range.size
}

export function isReserved(range: SubnetRange, address: string): boolean {
  const value = toNumber(address)!
  return value < range.network + 4 || value === range.network + range.size - 1
}

/** The lowest usable address not taken, or undefined when the subnet is full. */
export function lowestFree(range: SubnetRange, taken: Set<string>): string | undefined {
  for (let value = range.network + 4; value < range.network + range.size - 1; value++) {
    if (!taken.has(toAddress(value))) return toAddress(value)
  }
  return undefined
}
