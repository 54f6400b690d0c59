/** Which autoscaled services run on which target, so apply and run act where placement puts them. */
import { serviceTargets } from '../capabilities.js'
import type { Autoscale, Manifest } from '../manifest/schema.js'
import { placementOrder, type PlacementSlot } from '../placement.js'

/** The services with an autoscale block that may run on a target (placement at their largest size), with their policies. */
export function autoscaledOn(manifest: Manifest, targetName: string): Record<string, Autoscale> {
  return Object.fromEntries(Object.entries(manifest.services).flatMap(([service, spec]) =>
    spec.autoscale && serviceTargets(manifest, service).includes(targetName) ? [[service, spec.autoscale]] : []))
}

/**
 * The services `autoscale run` drives and the targets of each, in fill order
 * (only `only` when --target names one). A service whose every target runs a
 * native autoscaler is left to it (`autoscale apply`): strato takes over a
 * native target only where it shares the service with targets strato drives.
 */
export function controlledServices(manifest: Manifest, only: string | undefined, driverOf: (target: string) => 'native' | 'controller'): { services: Record<string, { autoscale: Autoscale; slots: PlacementSlot[] }>; leftToNative: string[] } {
  const services: Record<string, { autoscale: Autoscale; slots: PlacementSlot[] }> = {}
  const leftToNative: string[] = []
  for (const [service, spec] of Object.entries(manifest.services)) {
    if (!spec.autoscale) continue
    const all = placementOrder(manifest, service)
    if (all.every((slot) => driverOf(slot.target) === 'native')) {
      leftToNative.push(service)
      continue
    }
    const slots = all.filter((slot) => only === undefined || slot.target === only)
    if (slots.length > 0) services[service] = { autoscale: spec.autoscale, slots }
  }
  return { services, leftToNative }
}
