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
import type { Service } from './manifest/schema.js'

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
