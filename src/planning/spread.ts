/**
 * Spreading a target's replicas over its hosts: evenly, keeping what already
 * runs where it runs, so a scale step moves as few replicas as possible.
 */

/** How many replicas each host should run, given how many run there now. */
export function spreadReplicas(total: number, hosts: string[], current: Record<string, number> = {}): Record<string, number> {
  if (hosts.length === 0) return {}
  const base = Math.floor(total / hosts.length)
  let extra = total % hosts.length
  // Hosts that already run more get the remainder first: fewer moves.
  const order = [...hosts].sort((a, b) => (current[b] ?? 0) - (current[a] ?? 0) || hosts.indexOf(a) - hosts.indexOf(b))
  const out: Record<string, number> = Object.fromEntries(hosts.map((host) => [host, base]))
  for (const host of order) {
    if (extra === 0) break
    out[host] += 1
    extra -= 1
  }
  return out
}

/** One step of a rolling update on one host: start a new replica, then maybe stop an old one. */
export interface RolloutStep {
  start: boolean
  /** id of the old replica to drain and stop after the new one is healthy */
  stop?: string
}

/**
 * The order of a health-gated rolling update: one new replica up before each
 * old one goes, so capacity never drops below min(old, new) replicas.
 */
export function planRollout(oldIds: string[], wanted: number): RolloutStep[] {
  const steps: RolloutStep[] = []
  const old = [...oldIds]
  for (let index = 0; index < wanted; index++) steps.push({ start: true, stop: old.shift() })
  for (const id of old) steps.push({ start: false, stop: id })
  return steps
}
