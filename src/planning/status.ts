/** Status rows per service and host, from the desired state and a target's inventory. Pure. */
import { isReplica, type Resource } from '../model.js'
import type { DesiredService } from './desired.js'

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

/** One row per service and host; endpoints come from the resources (Resource.endpoint), as each provider reports them. */
export function statusRows(desired: DesiredService[], resources: Resource[]): StatusRow[] {
  const rows: StatusRow[] = []
  // A target with replicas the manifest does not ask for (overflow placed by the autoscaler, leftovers) still shows.
  const targets = [...new Set([...desired.map((entry) => entry.target), ...resources.filter(isReplica).map((resource) => resource.target)])]
  for (const target of targets) {
    const here = resources.filter((resource) => resource.target === target)
    const hosts = [...new Set(here.filter((resource) => resource.location).map((resource) => resource.location!))]
    const downHosts = new Set(here.filter((resource) => resource.kind === 'host').map((resource) => resource.location!))
    const services = [...new Set([...desired.filter((entry) => entry.target === target).map((entry) => entry.service), ...here.filter(isReplica).map((resource) => resource.service!)])]
    for (const service of services) {
      const want = desired.find((entry) => entry.target === target && entry.service === service)?.replicas ?? 0
      for (const host of hosts.length ? hosts : ['-']) {
        const replicas = here.filter((resource) => isReplica(resource) && resource.service === service && (resource.location ?? '-') === host)
        rows.push({
          target,
          service,
          host: downHosts.has(host) ? `${host} (unreachable)` : host,
          desired: want,
          running: replicas.filter((resource) => resource.state === 'running').length,
          healthy: replicas.filter((resource) => resource.state === 'running' && (resource.health === 'healthy' || resource.health === 'none')).length,
          versions: [...new Set(replicas.map((resource) => resource.version).filter((version): version is string => Boolean(version)))],
          // where the service answers on this host or region, as the provider reported it
          endpoint: here.find((resource) => resource.service === service && resource.endpoint && (resource.location ?? '-') === host)?.endpoint,
          restarts: replicas.reduce((sum, resource) => sum + Number(resource.details?.restarts ?? 0), 0),
        })
      }
    }
  }
  return rows
}
