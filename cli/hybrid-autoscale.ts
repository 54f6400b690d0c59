/**
 * `autoscale run` across every target of every autoscaled service: one port
 * per target, opened through its provider. A target that cannot be opened
 * (credentials, an unreachable host) still gets a port, one that fails with
 * that error, so its services' other targets keep scaling.
 */
import type { ControlledService, TargetPort } from '../src/autoscaling/hybrid-controller.js'
import { controllerPort, nativePort } from '../src/autoscaling/provider-port.js'
import { notSupported, usageError } from '../src/errors.js'
import type { LoadedManifest } from '../src/manifest/load.js'
import { effectiveTargets } from '../src/manifest/defaults.js'
import type { Progress } from '../src/model.js'
import { placementOrder } from '../src/placement.js'
import type { Provider, ProviderSettings } from '../providers/provider.js'
import { openTarget } from './targets.js'

export interface HybridTargets {
  services: Record<string, ControlledService>
  ports: Record<string, TargetPort>
  close(): Promise<void>
}

/** How each kind's count is moved: by strato's controller directly, or through a native autoscaler's bounds. */
const DRIVERS: Partial<Record<string, 'controller' | 'native'>> = { docker: 'controller', aws: 'native' }

/** A port whose every call fails with the error that kept the target from opening. */
function failingPort(error: unknown): TargetPort {
  const fail = async (): Promise<never> => { throw error }
  return { replicas: fail, observe: fail, scale: fail }
}

export async function openHybridTargets(loaded: LoadedManifest, only: string | undefined, progress: Progress, settings: ProviderSettings, windowSeconds: number): Promise<HybridTargets> {
  const { manifest } = loaded
  const targets = effectiveTargets(manifest)
  if (only !== undefined && !targets[only]) throw usageError(`Unknown target "${only}".`, `Use one of the targets in strato.yaml: ${Object.keys(targets).join(', ')}.`)
  const services: Record<string, ControlledService> = {}
  for (const [service, spec] of Object.entries(manifest.services)) {
    if (!spec.autoscale) continue
    const slots = placementOrder(manifest, service).filter((slot) => only === undefined || slot.target === only)
    if (slots.length > 0) services[service] = { policy: spec.autoscale, slots }
  }
  const policies = Object.fromEntries(Object.entries(services).map(([service, entry]) => [service, entry.policy]))
  const names = [...new Set(Object.values(services).flatMap((entry) => entry.slots.map((slot) => slot.target)))]
  const providers: Provider[] = []
  const ports: Record<string, TargetPort> = {}
  await Promise.all(names.map(async (name) => {
    try {
      const driver = DRIVERS[targets[name].provider]
      if (!driver) throw notSupported(`Hybrid autoscaling of ${targets[name].provider} target "${name}"`, 'Place the service on docker or aws targets.')
      const provider = await openTarget(loaded, name, progress, settings)
      providers.push(provider)
      ports[name] = driver === 'controller' ? controllerPort(provider, manifest.name, windowSeconds) : nativePort(provider, manifest.name, windowSeconds, policies)
    } catch (error) {
      ports[name] = failingPort(error)
    }
  }))
  return { services, ports, close: async () => { await Promise.all(providers.map((provider) => provider.close?.())) } }
}
