/**
 * Where a service's replicas go. Pure, so deploy, scale, cost and the
 * autoscaler agree on it.
 *
 * Rules: a service with `targets: [...]` only goes to those targets (in that
 * order); the manifest's `placement` list fills its targets in order, each up
 * to its `max`, overflowing to the next; without placement every replica goes
 * to the first target (or the embedded local Docker target). Replicas beyond
 * every `max` stay on the last eligible target, so none is ever dropped.
 * Fewer replicas means the last-filled target gives them up first.
 */
import { effectiveTargets } from './manifest/defaults.js'
import type { Manifest } from './manifest/schema.js'

/** One target in a service's fill order, with the most replicas it takes (none: no limit). */
export interface PlacementSlot {
  target: string
  max?: number
}

/** The targets a service fills, in order. */
export function placementOrder(manifest: Manifest, service: string): PlacementSlot[] {
  const targets = Object.keys(effectiveTargets(manifest))
  const only = manifest.services[service]?.targets
  const eligible = (name: string) => targets.includes(name) && (only === undefined || only.includes(name))
  const order = (manifest.placement ?? []).filter((entry) => eligible(entry.target)).map(({ target, max }) => (max === undefined ? { target } : { target, max }))
  if (order.length > 0) return order
  // No placement entry applies: the service's own target list, else the first target.
  const fallback = only?.filter((name) => targets.includes(name)) ?? []
  return [{ target: fallback[0] ?? targets[0] }]
}

/** The most replicas the slots hold together (Infinity when one has no max). */
export function slotCapacity(slots: PlacementSlot[]): number {
  return slots.reduce((sum, slot) => sum + (slot.max ?? Number.POSITIVE_INFINITY), 0)
}

/**
 * Fills the slots in order, each up to its max; every slot is in the result,
 * with 0 when nothing reaches it. What does not fit is returned as `unplaced`.
 */
export function fillInOrder(slots: PlacementSlot[], replicas: number): { placed: { target: string; replicas: number }[]; unplaced: number } {
  let left = Math.max(0, Math.floor(replicas))
  const placed = slots.map((slot) => {
    const take = Math.min(slot.max ?? left, left)
    left -= take
    return { target: slot.target, replicas: take }
  })
  return { placed, unplaced: left }
}

/** Replicas per target name, in fill order; targets that get none are left out. */
export function placeReplicas(manifest: Manifest, service: string, replicas: number): Record<string, number> {
  const { placed, unplaced } = fillInOrder(placementOrder(manifest, service), replicas)
  placed[placed.length - 1].replicas += unplaced
  const out: Record<string, number> = {}
  for (const entry of placed) if (entry.replicas > 0) out[entry.target] = (out[entry.target] ?? 0) + entry.replicas
  return out
}
