/**
 * Which services the balancer fronts and on which host port. Deterministic:
 * loadBalancer.port (default 8080) plus the service's index among the
 * balanced services, in manifest order, so the endpoints never move between
 * deploys unless services are added or removed before them.
 */
import type { Manifest, Service } from '../manifest/schema.js'

export const DEFAULT_BALANCER_PORT = 8080

/** HTTP services: a port and a health path. Others (databases) stay internal, reached by service name. */
export function isBalanced(service: Service): boolean {
  return service.port !== undefined && service.health !== undefined && service.network !== 'host'
}

export function balancerPorts(manifest: Manifest): Record<string, number> {
  const base = manifest.loadBalancer?.port ?? DEFAULT_BALANCER_PORT
  const out: Record<string, number> = {}
  let index = 0
  for (const [name, service] of Object.entries(manifest.services)) {
    if (isBalanced(service)) out[name] = base + index++
  }
  return out
}

/** Endpoints per host and service, from the balancers an inventory lists. */
export function balancerEndpoints(manifest: Manifest, resources: { kind: string; location?: string; state: string; labels: Record<string, string> }[]): Record<string, Record<string, string>> {
  const ports = balancerPorts(manifest)
  const out: Record<string, Record<string, string>> = {}
  for (const balancer of resources.filter((resource) => resource.kind === 'balancer' && resource.state === 'running' && resource.location)) {
    const publish = balancer.labels['strato.publish'] || '127.0.0.1'
    const published = new Set((balancer.labels['strato.ports'] ?? '').split(',').map(Number))
    const address = publish === '0.0.0.0' ? (/^(?:ssh|tcp):\/\/(?:[^@/]*@)?([^:/]+)/.exec(balancer.location!)?.[1] ?? '127.0.0.1') : publish
    out[balancer.location!] = Object.fromEntries(Object.entries(ports).filter(([, port]) => published.has(port)).map(([service, port]) => [service, `http://${address}:${port}`]))
  }
  return out
}
