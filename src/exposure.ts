/**
 * Which services the outside world reaches, one rule for every provider.
 *
 * A public service sits behind the target's balancer (docker's nginx, an AWS
 * Application Load Balancer, an Azure or GCP load balancer, a Kubernetes
 * Ingress) and is probed on its health path. A private service (a database, a
 * cache, an internal API) is on no public balancer: only the project's own
 * services reach it, on the target's network, and its firewall admits that
 * network alone. Default: public when the service has a port and an HTTP
 * health path (and does not share the host's network), private when it has a
 * port only; `expose:` says so explicitly.
 */
import { serviceTargets } from './capabilities.js'
import type { Manifest, Service } from './manifest/schema.js'
import type { Action } from './model.js'

export type Exposure = 'public' | 'private' | 'none'

export function exposureOf(service: Service): Exposure {
  if (service.port === undefined || service.network === 'host') return 'none'
  if (service.expose) return service.expose
  return service.health !== undefined ? 'public' : 'private'
}

/** Behind the target's public balancer. */
export function isPublic(service: Service): boolean {
  return exposureOf(service) === 'public'
}

/** Listens on a port that only the project's services may reach. */
export function isPrivate(service: Service): boolean {
  return exposureOf(service) === 'private'
}

/** The names of a manifest's public services, in manifest order. */
export function publicServices(services: Record<string, Service>): string[] {
  return Object.entries(services).filter(([, spec]) => isPublic(spec)).map(([name]) => name)
}

/** The names of a manifest's private services, in manifest order. */
export function privateServices(services: Record<string, Service>): string[] {
  return Object.entries(services).filter(([, spec]) => isPrivate(spec)).map(([name]) => name)
}

/**
 * The private services placement may put on a target (at their largest
 * replica count), in manifest order: the ones a target's internal balancer
 * fronts and every container there reaches by name.
 */
export function privateServicesOn(manifest: Manifest, targetName: string): string[] {
  return privateServices(manifest.services).filter((name) => {
    const only = manifest.services[name].targets
    return (!only || only.includes(targetName)) && serviceTargets(manifest, name).includes(targetName)
  })
}

/** Private services of a target that listen on the same port, per port taken more than once (an address with one listener per port cannot hold both). */
export function privatePortClashes(manifest: Manifest, targetName: string): { port: number; services: string[] }[] {
  const byPort = new Map<number, string[]>()
  for (const name of privateServicesOn(manifest, targetName)) {
    const port = manifest.services[name].port!
    byPort.set(port, [...(byPort.get(port) ?? []), name])
  }
  return [...byPort].filter(([, names]) => names.length > 1).map(([port, services]) => ({ port, services }))
}

/**
 * Creates and updates of private services first, the rest in their order:
 * public services' containers name the private ones' addresses and reach
 * them from their first start.
 */
export function privateFirst(manifest: Manifest, actions: Action[]): Action[] {
  const rank = (action: Action) => ((action.kind === 'create' || action.kind === 'update') && manifest.services[action.service] && isPrivate(manifest.services[action.service]) ? 0 : 1)
  return [...actions].sort((a, b) => rank(a) - rank(b))
}
