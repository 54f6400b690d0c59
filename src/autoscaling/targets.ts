/** Which autoscaled services run on which target, so apply and run act where placement puts them. */
import { serviceTargets } from '../capabilities.js'
import type { Autoscale, Manifest } from '../manifest/schema.js'

/** The services with an autoscale block that may run on a target (placement at their largest size), with their policies. */
export function autoscaledOn(manifest: Manifest, targetName: string): Record<string, Autoscale> {
  return Object.fromEntries(Object.entries(manifest.services).flatMap(([service, spec]) =>
    spec.autoscale && serviceTargets(manifest, service).includes(targetName) ? [[service, spec.autoscale]] : []))
}
