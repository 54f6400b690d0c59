/**
 * Desired state per target, from the manifest alone: which services run on
 * which target, how many replicas and which version. Provider-neutral.
 */
import { usageError } from '../errors.js'
import { desiredReplicas } from '../manifest/defaults.js'
import type { Manifest, Target } from '../manifest/schema.js'

export interface DesiredService {
  target: string
  service: string
  replicas: number
  version: string
  /** an autoscaled service: a count inside this range set by the controller is kept */
  range?: { min: number; max: number }
}

/**
 * Splits a service's replicas over the targets it may run on. Placement fills
 * targets in order up to each one's max and puts the rest on the last; a
 * service that names its targets runs its full count on each of them.
 * (A cost-aware placement may replace this split; the shape stays the same.)
 */
export function splitReplicas(manifest: Manifest, targets: Record<string, Target>, service: string, replicas: number): Record<string, number> {
  const spec = manifest.services[service]
  const names = Object.keys(targets)
  if (spec.targets?.length) {
    const unknown = spec.targets.filter((name) => !names.includes(name))
    if (unknown.length) throw usageError(`services.${service}.targets names unknown target "${unknown[0]}".`, `Use one of: ${names.join(', ')}.`)
    return Object.fromEntries(spec.targets.map((name) => [name, replicas]))
  }
  const placement = (manifest.placement ?? []).filter((entry) => names.includes(entry.target))
  if (placement.length === 0) return { [names[0]]: replicas }
  const split: Record<string, number> = {}
  let left = replicas
  placement.forEach((entry, index) => {
    const last = index === placement.length - 1
    const take = last ? left : Math.min(left, entry.max ?? left)
    split[entry.target] = take
    left -= take
  })
  return split
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
    for (const [target, replicas] of Object.entries(splitReplicas(manifest, targets, service, total))) {
      const entry: DesiredService = { target, service, replicas, version: versions[service] }
      if (autoscale && !explicit) entry.range = { min: autoscale.min, max: autoscale.max }
      out.push(entry)
    }
  }
  return out
}
