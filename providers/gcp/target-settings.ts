/**
 * What one gcp target of the manifest asks for, with the provider's
 * defaults filled in, and the links the provider writes into bodies. The
 * rest of the provider reads these, never the raw target.
 */
import { zoneRegion } from './descriptor.js'
import { DEFAULT_MACHINE_TYPE } from './instance-template.js'
import type { BillingTable } from './billing-export.js'

export interface GcpTargetSettings {
  gcpProject: string
  region: string
  /** the zones the regional groups spread over */
  zones: string[]
  /** the network's link */
  network: string
  publicIp: boolean
  /** the shared HTTP balancer, or a regional network balancer per service */
  loadBalancer: 'http' | 'network'
  machineType: string
  registry?: string
  endpoint?: string
  billing?: BillingTable
}

/** The fields a gcp target may have (the manifest schema's gcp target). */
export interface GcpTargetFields {
  project: string
  zone: string
  zones?: string[]
  machineType?: string
  registry?: string
  network?: string
  publicIp?: boolean
  loadBalancer?: 'http' | 'network'
  endpoint?: string
  billing?: BillingTable
}

export function settingsOf(target: GcpTargetFields): GcpTargetSettings {
  return {
    gcpProject: target.project,
    region: zoneRegion(target.zone),
    zones: target.zones?.length ? target.zones : [target.zone],
    network: `projects/${target.project}/global/networks/${target.network ?? 'default'}`,
    publicIp: target.publicIp === true,
    loadBalancer: target.loadBalancer ?? 'http',
    machineType: target.machineType ?? DEFAULT_MACHINE_TYPE,
    registry: target.registry,
    endpoint: target.endpoint,
    billing: target.billing,
  }
}

/** Links to what strato creates, as the API accepts them in bodies. */
export function links(settings: GcpTargetSettings) {
  const project = `projects/${settings.gcpProject}`
  const region = `${project}/regions/${settings.region}`
  return {
    template: (name: string) => `${project}/global/instanceTemplates/${name}`,
    healthCheck: (name: string, regional: boolean) => (regional ? `${region}/healthChecks/${name}` : `${project}/global/healthChecks/${name}`),
    instanceGroup: (name: string) => `${region}/instanceGroups/${name}`,
    group: (name: string) => `${region}/instanceGroupManagers/${name}`,
    backendService: (name: string, regional: boolean) => (regional ? `${region}/backendServices/${name}` : `${project}/global/backendServices/${name}`),
    urlMap: (name: string) => `${project}/global/urlMaps/${name}`,
    proxy: (name: string) => `${project}/global/targetHttpProxies/${name}`,
    address: (name: string) => `${region}/addresses/${name}`,
  }
}
