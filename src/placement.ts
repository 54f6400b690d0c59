/**
 * Where a service's replicas go. Pure, so deploy, scale and cost agree on it.
 *
 * Rules: a service with `targets: [...]` only goes to those targets (in that
 * order); the manifest's `placement` list fills its targets in order, each up
 * to its `max`, overflowing to the next; without placement every replica goes
 * to the first target (or the embedded local Docker target). Replicas beyond
 * every `max` stay on the last eligible target, so none is ever dropped.
 */
import { effectiveTargets } from './manifest/defaults.js'
import type { Manifest } from './manifest/schema.js'

/** Replicas per target name, in fill order; targets that get none are left out. */
export function placeReplicas(manifest: Manifest, service: string, replicas: number): Record<string, number> {
  const targets = Object.keys(effectiveTargets(manifest))
  const only = manifest.services[service]?.targets
  const eligible = (name: string) => targets.includes(name) && (only === undefined || only.includes(name))

  let order: { target: string; max?: number }[] = (manifest.placement ?? []).filter((entry) => eligible(entry.target))
  if (order.length === 0) {
    // No placement entry applies: the service's own target list, else the first target.
    const fallback = only?.filter((name) => targets.includes(name)) ?? []
    order = [{ target: fallback[0] ?? targets[0] }]
  }

  const placed: Record<string, number> = {}
  let left = Math.max(0, Math.floor(replicas))
  for (const [index, entry] of order.entries()) {
    if (left === 0) break
    const last = index === order.length - 1
    const take = last || entry.max === undefined ? left : Math.min(entry.max, left)
    if (take > 0) placed[entry.target] = (placed[entry.target] ?? 0) + take
    left -= take
  }
  return placed
}
