/** What the cloud rules share: the internet as a source range, admin ports, port ranges, tags. */

export const ADMIN_PORTS: Record<number, string> = { 22: 'SSH', 3389: 'RDP' }

export function isWorld(cidr: string): boolean {
  return ['0.0.0.0/0', '::/0', '*', 'Internet', 'Any', 'any', 'internet'].includes(cidr.trim())
}

/** The admin ports a from-to range covers. */
export function adminPortsIn(from: number, to: number): number[] {
  return Object.keys(ADMIN_PORTS).map(Number).filter((port) => port >= from && port <= to)
}

/** '22', '1000-2000', '*' -> [from, to] */
export function parsePortRange(range: string): [number, number] | undefined {
  const text = range.trim()
  if (text === '*' || text === '') return [0, 65535]
  const match = /^(\d+)(?:-(\d+))?$/.exec(text)
  if (!match) return undefined
  return [Number(match[1]), Number(match[2] ?? match[1])]
}

export function describeAdminPorts(ports: number[]): string {
  return ports.map((port) => `${ADMIN_PORTS[port]} (${port})`).join(' and ')
}

export function missingTags(tags: Record<string, string> | undefined, required: string[]): string[] {
  return required.filter((name) => !tags || tags[name] === undefined || tags[name] === '')
}
