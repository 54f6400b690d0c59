/**
 * Desired state per target, from the manifest alone: which services run on
 * which target, how many replicas and which version. Provider-neutral.
 */
import { desiredReplicas } from '../manifest/defaults.js'
import type { Manifest, Target } from '../manifest/schema.js'
import { placeReplicas, placementOrder } from '../placement.js'

export interface DesiredService {
  target: string
  service: string
  replicas: number
  version: string
  /** an autoscaled service: a count inside this range set by the controller is kept */
  range?: { min: number; max: number }
}

/**
 * Splits a service's replicas over the targets by the shared placement rules
 * (src/placement.ts, which deploy, scale and cost all use). A service placed
 * nowhere still gets its first target with 0, so what runs there is removed.
 */
export function splitReplicas(manifest: Manifest, targets: Record<string, Target>, service: string, replicas: number): Record<string, number> {
  const placed = placeReplicas(manifest, service, replicas)
  if (Object.keys(placed).length > 0) return placed
  const names = Object.keys(targets)
  const first = manifest.services[service]?.targets?.find((name) => names.includes(name)) ?? names[0]
  return { [first]: 0 }
}

export function desiredState(
  manifest: Manifest,
  targets: Record<string, Target>,
  versions: Record<string, string>,
  overrides: Record<string, number> = {},
): DesiredService[] {
  const out: DesiredService[] = []
  for (const service of Object.keys(manifest.services)) {
    const total = overrides[service] ?? desiredReplicas(manifest.services[service])
    const autoscale = manifest.services[service].autoscale
    const explicit = overrides[service] !== undefined || manifest.services[service].replicas !== undefined
    const split = splitReplicas(manifest, targets, service, total)
    const slots = placementOrder(manifest, service).filter((slot) => slot.target in targets)
    // Autoscaled across several targets: each may hold what the controller placed there (up to its
    // placement max), so a deploy keeps the overflow on the cloud rather than removing it.
    const hybrid = autoscale !== undefined && !explicit && slots.length > 1
    const entries = Object.entries(split)
    if (hybrid) for (const slot of slots) if (!(slot.target in split)) entries.push([slot.target, 0])
    for (const [target, replicas] of entries) {
      const entry: DesiredService = { target, service, replicas, version: versions[service] }
      if (autoscale && !explicit) {
        const slotMax = slots.find((slot) => slot.target === target)?.max ?? autoscale.max
        entry.range = hybrid ? { min: 0, max: Math.min(slotMax, autoscale.max) } : { min: autoscale.min, max: autoscale.max }
      }
      out.push(entry)
    }
  }
  return out
}
