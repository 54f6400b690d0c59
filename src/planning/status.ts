/** Status rows per service and host, from the desired state and a target's inventory. Pure. */
import type { Resource } from '../model.js'
import type { DesiredService } from './desired.js'
import { REPLICA_KINDS } from './plan.js'

export interface StatusRow {
  target: string
  service: string
  host: string
  desired: number
  running: number
  healthy: number
  versions: string[]
  endpoint?: string
  restarts: number
}

export function statusRows(desired: DesiredService[], resources: Resource[], endpoints: Record<string, Record<string, string>>): StatusRow[] {
  const rows: StatusRow[] = []
  // A target with replicas the manifest does not ask for (overflow placed by the autoscaler, leftovers) still shows.
  const targets = [...new Set([...desired.map((entry) => entry.target), ...resources.filter((resource) => resource.service && REPLICA_KINDS.has(resource.kind)).map((resource) => resource.target)])]
  for (const target of targets) {
    const here = resources.filter((resource) => resource.target === target)
    const hosts = [...new Set(here.filter((resource) => resource.location).map((resource) => resource.location!))]
    const downHosts = new Set(here.filter((resource) => resource.kind === 'host').map((resource) => resource.location!))
    const services = [...new Set([...desired.filter((entry) => entry.target === target).map((entry) => entry.service), ...here.filter((resource) => resource.service && REPLICA_KINDS.has(resource.kind)).map((resource) => resource.service!)])]
    for (const service of services) {
      const want = desired.find((entry) => entry.target === target && entry.service === service)?.replicas ?? 0
      for (const host of hosts.length ? hosts : ['-']) {
        const replicas = here.filter((resource) => resource.service === service && REPLICA_KINDS.has(resource.kind) && (resource.location ?? '-') === host)
        rows.push({
          target,
          service,
          host: downHosts.has(host) ? `${host} (unreachable)` : host,
          desired: want,
          running: replicas.filter((resource) => resource.state === 'running').length,
          healthy: replicas.filter((resource) => resource.state === 'running' && (resource.health === 'healthy' || resource.health === 'none')).length,
          versions: [...new Set(replicas.map((resource) => resource.version).filter((version): version is string => Boolean(version)))],
          // clouds report the endpoint on their resources (a load balancer's address); docker's come from its balancers
          endpoint: endpoints[host]?.[service] ?? here.find((resource) => resource.service === service && resource.endpoint)?.endpoint,
          restarts: replicas.reduce((sum, resource) => sum + Number(resource.details?.restarts ?? 0), 0),
        })
      }
    }
  }
  return rows
}
