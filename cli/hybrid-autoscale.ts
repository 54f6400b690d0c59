/**
 * `autoscale run` across every target of every autoscaled service: one port
 * per target, opened through its provider. A target that cannot be opened
 * (credentials, an unreachable host) still gets a port, one that fails with
 * that error, so its services' other targets keep scaling.
 */
import type { ControlledService, TargetPort } from '../src/autoscaling/hybrid-controller.js'
import { controllerPolicy } from '../src/autoscaling/policy.js'
import { controlledServices } from '../src/autoscaling/targets.js'
import { controllerPort, nativePort } from '../src/autoscaling/provider-port.js'
import { notSupportedError } from '../src/capabilities.js'
import { usageError } from '../src/errors.js'
import type { LoadedManifest } from '../src/manifest/load.js'
import { effectiveTargets } from '../src/manifest/defaults.js'
import type { Progress } from '../src/model.js'
import { serviceVersions } from '../src/planning/project-plan.js'
import type { Provider, ProviderSettings } from '../providers/provider.js'
import { descriptorOf } from '../providers/descriptors.js'
import { openTarget } from './targets.js'

export interface HybridTargets {
  services: Record<string, ControlledService>
  ports: Record<string, TargetPort>
  close(): Promise<void>
}

/** A port whose every call fails with the error that kept the target from opening. */
function failingPort(error: unknown): TargetPort {
  const fail = async (): Promise<never> => { throw error }
  return { replicas: fail, observe: fail, scale: fail }
}

export async function openHybridTargets(loaded: LoadedManifest, only: string | undefined, progress: Progress, settings: ProviderSettings, windowSeconds: number): Promise<HybridTargets> {
  const { manifest } = loaded
  const targets = effectiveTargets(manifest)
  if (only !== undefined && !targets[only]) throw usageError(`Unknown target "${only}".`, `Use one of the targets in strato.yaml: ${Object.keys(targets).join(', ')}.`)
  const chosen = controlledServices(manifest, only, (name) => descriptorOf(targets[name].provider).autoscaling.driver)
  for (const service of chosen.leftToNative) progress.warn(`${service}: every target it runs on scales natively; it scales with \`strato autoscale apply\``)
  const services: Record<string, ControlledService> = Object.fromEntries(Object.entries(chosen.services).map(([service, { autoscale, slots }]) => [service, { policy: controllerPolicy(autoscale), slots }]))
  const policies = Object.fromEntries(Object.entries(chosen.services).map(([service, { autoscale }]) => [service, autoscale]))
  const versions = serviceVersions(manifest, loaded.dir)
  const names = [...new Set(Object.values(services).flatMap((entry) => entry.slots.map((slot) => slot.target)))]
  const providers: Provider[] = []
  const ports: Record<string, TargetPort> = {}
  await Promise.all(names.map(async (name) => {
    try {
      const descriptor = descriptorOf(targets[name].provider)
      if (!descriptor.built) throw notSupportedError(descriptor, 'Autoscaling', name)
      const provider = await openTarget(loaded, name, progress, settings)
      providers.push(provider)
      // The descriptor says who moves the count: strato's controller directly, or a native autoscaler whose bounds strato pins.
      const context = { project: manifest.name, target: name, windowSeconds, versions, progress }
      ports[name] = descriptor.autoscaling.driver === 'controller' ? controllerPort(provider, context) : nativePort(provider, context, policies)
    } catch (error) {
      ports[name] = failingPort(error)
    }
  }))
  return { services, ports, close: async () => { await Promise.all(providers.map((provider) => provider.close?.())) } }
}
