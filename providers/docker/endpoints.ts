/**
 * Where a docker target's services answer. Each host runs one nginx balancer
 * publishing one port per balanced service: loadBalancer.port (default 8080)
 * plus the service's index among the balanced services, in manifest order, so
 * the endpoints never move between deploys unless services are added or
 * removed before them. Inventory reads them back from the balancers' labels
 * and puts them on the replicas (Resource.endpoint), which is how status sees
 * them.
 */
import { isPublic } from '../../src/exposure.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { isReplica, type Resource } from '../../src/model.js'
import { labelState, ROLE } from './naming.js'

export const DEFAULT_BALANCER_PORT = 8080
export const DEFAULT_PUBLISH = '127.0.0.1'

/** Public services (src/exposure.ts); private ones (databases) stay on the project network, reached by service name. */
export function balancerPorts(manifest: Manifest): Record<string, number> {
  const base = manifest.loadBalancer?.port ?? DEFAULT_BALANCER_PORT
  const out: Record<string, number> = {}
  let index = 0
  for (const [name, service] of Object.entries(manifest.services)) {
    if (isPublic(service)) out[name] = base + index++
  }
  return out
}

/** The host name in an ssh:// or tcp:// address; a unix socket is this machine. */
export function hostnameOf(address: string): string {
  const match = /^(?:ssh|tcp):\/\/(?:[^@/]*@)?([^:/]+)/.exec(address)
  return match ? match[1] : '127.0.0.1'
}

/** The address a balancer publishing on `publish` is reached at, from anywhere: all interfaces mean the host's name. */
export function publicAddress(hostAddress: string, publish: string): string {
  return ['0.0.0.0', ''].includes(publish) ? hostnameOf(hostAddress) : publish
}

/** One host's endpoints per service, from its running balancer's state (the ports it publishes, and where). */
export function balancerEndpoints(manifest: Manifest, hostAddress: string, balancer: { ports?: string; publish?: string }): Record<string, string> {
  const address = publicAddress(hostAddress, balancer.publish || DEFAULT_PUBLISH)
  const published = new Set((balancer.ports ?? '').split(',').map(Number))
  return Object.fromEntries(Object.entries(balancerPorts(manifest)).filter(([, port]) => published.has(port)).map(([service, port]) => [service, `http://${address}:${port}`]))
}

/** The inventory with each replica's endpoint: its host's running balancer's address for its service. */
export function withEndpoints(manifest: Manifest, resources: Resource[]): Resource[] {
  const byHost = new Map<string, Record<string, string>>()
  for (const resource of resources) {
    const state = labelState(resource.labels)
    if (resource.kind !== 'balancer' || resource.state !== 'running' || !resource.location || state?.role !== ROLE.balancer) continue
    byHost.set(resource.location, balancerEndpoints(manifest, resource.location, state.extra ?? {}))
  }
  return resources.map((resource) => {
    const endpoint = isReplica(resource) && resource.location ? byHost.get(resource.location)?.[resource.service] : undefined
    return endpoint ? { ...resource, endpoint } : resource
  })
}
