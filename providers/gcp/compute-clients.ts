/**
 * The compute v1 clients one gcp target uses, each built on first use from
 * its own client file (the package root loads all hundred clients: over a
 * second). They run in REST mode with the client library's own retries off:
 * GcpApi retries 429 and 5xx itself, bounded, with a request id that makes a
 * retried mutation safe.
 */
import { createRequire } from 'node:module'
import type { AuthClient } from 'google-auth-library'
import type { AddressesClient } from '@google-cloud/compute/build/src/v1/addresses_client.js'
import type { BackendServicesClient } from '@google-cloud/compute/build/src/v1/backend_services_client.js'
import type { DisksClient } from '@google-cloud/compute/build/src/v1/disks_client.js'
import type { FirewallsClient } from '@google-cloud/compute/build/src/v1/firewalls_client.js'
import type { ForwardingRulesClient } from '@google-cloud/compute/build/src/v1/forwarding_rules_client.js'
import type { GlobalForwardingRulesClient } from '@google-cloud/compute/build/src/v1/global_forwarding_rules_client.js'
import type { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client.js'
import type { HealthChecksClient } from '@google-cloud/compute/build/src/v1/health_checks_client.js'
import type { InstanceTemplatesClient } from '@google-cloud/compute/build/src/v1/instance_templates_client.js'
import type { InstancesClient } from '@google-cloud/compute/build/src/v1/instances_client.js'
import type { NetworksClient } from '@google-cloud/compute/build/src/v1/networks_client.js'
import type { RegionAutoscalersClient } from '@google-cloud/compute/build/src/v1/region_autoscalers_client.js'
import type { RegionBackendServicesClient } from '@google-cloud/compute/build/src/v1/region_backend_services_client.js'
import type { RegionHealthChecksClient } from '@google-cloud/compute/build/src/v1/region_health_checks_client.js'
import type { RegionInstanceGroupManagersClient } from '@google-cloud/compute/build/src/v1/region_instance_group_managers_client.js'
import type { RegionOperationsClient } from '@google-cloud/compute/build/src/v1/region_operations_client.js'
import type { SubnetworksClient } from '@google-cloud/compute/build/src/v1/subnetworks_client.js'
import type { TargetHttpProxiesClient } from '@google-cloud/compute/build/src/v1/target_http_proxies_client.js'
import type { UrlMapsClient } from '@google-cloud/compute/build/src/v1/url_maps_client.js'
import { gaxFallback, requireComputeClient, type ComputeService } from './compute-protos.js'

export interface ComputeClients {
  readonly instanceTemplates: InstanceTemplatesClient
  readonly groups: RegionInstanceGroupManagersClient
  readonly autoscalers: RegionAutoscalersClient
  readonly healthChecks: HealthChecksClient
  readonly regionHealthChecks: RegionHealthChecksClient
  readonly firewalls: FirewallsClient
  readonly backendServices: BackendServicesClient
  readonly regionBackendServices: RegionBackendServicesClient
  readonly urlMaps: UrlMapsClient
  readonly targetHttpProxies: TargetHttpProxiesClient
  readonly globalForwardingRules: GlobalForwardingRulesClient
  readonly forwardingRules: ForwardingRulesClient
  readonly instances: InstancesClient
  readonly disks: DisksClient
  readonly addresses: AddressesClient
  readonly networks: NetworksClient
  readonly subnetworks: SubnetworksClient
  readonly globalOperations: GlobalOperationsClient
  readonly regionOperations: RegionOperationsClient
  close(): Promise<void>
}

/** Client property -> [client file, class, proto service]. */
const CLIENTS: Record<Exclude<keyof ComputeClients, 'close'>, [string, string, ComputeService]> = {
  instanceTemplates: ['instance_templates_client.js', 'InstanceTemplatesClient', 'InstanceTemplates'],
  groups: ['region_instance_group_managers_client.js', 'RegionInstanceGroupManagersClient', 'RegionInstanceGroupManagers'],
  autoscalers: ['region_autoscalers_client.js', 'RegionAutoscalersClient', 'RegionAutoscalers'],
  healthChecks: ['health_checks_client.js', 'HealthChecksClient', 'HealthChecks'],
  regionHealthChecks: ['region_health_checks_client.js', 'RegionHealthChecksClient', 'RegionHealthChecks'],
  firewalls: ['firewalls_client.js', 'FirewallsClient', 'Firewalls'],
  backendServices: ['backend_services_client.js', 'BackendServicesClient', 'BackendServices'],
  regionBackendServices: ['region_backend_services_client.js', 'RegionBackendServicesClient', 'RegionBackendServices'],
  urlMaps: ['url_maps_client.js', 'UrlMapsClient', 'UrlMaps'],
  targetHttpProxies: ['target_http_proxies_client.js', 'TargetHttpProxiesClient', 'TargetHttpProxies'],
  globalForwardingRules: ['global_forwarding_rules_client.js', 'GlobalForwardingRulesClient', 'GlobalForwardingRules'],
  forwardingRules: ['forwarding_rules_client.js', 'ForwardingRulesClient', 'ForwardingRules'],
  instances: ['instances_client.js', 'InstancesClient', 'Instances'],
  disks: ['disks_client.js', 'DisksClient', 'Disks'],
  addresses: ['addresses_client.js', 'AddressesClient', 'Addresses'],
  networks: ['networks_client.js', 'NetworksClient', 'Networks'],
  subnetworks: ['subnetworks_client.js', 'SubnetworksClient', 'Subnetworks'],
  globalOperations: ['global_operations_client.js', 'GlobalOperationsClient', 'GlobalOperations'],
  regionOperations: ['region_operations_client.js', 'RegionOperationsClient', 'RegionOperations'],
}

const requireHere = createRequire(import.meta.url)

/** Where the clients send requests: Google's endpoints, or an override (a private endpoint, a fake). */
export interface EndpointOverride { apiEndpoint: string; port: number; protocol: 'http' | 'https' }

export function endpointOverride(endpoint: string | undefined): EndpointOverride | undefined {
  if (!endpoint) return undefined
  const url = new URL(endpoint)
  const protocol = url.protocol === 'http:' ? 'http' : 'https'
  return { apiEndpoint: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol }
}

/**
 * The options every compute client is built with: REST mode, and no library
 * retries (an override only reaches the methods it lists, so it lists them
 * all); pure, so tests assert them.
 */
export function clientOptions(service: ComputeService, methods: string[], authClient: AuthClient, endpoint: EndpointOverride | undefined) {
  return {
    fallback: true,
    authClient,
    ...(endpoint ?? {}),
    clientConfig: {
      interfaces: {
        [`google.cloud.compute.v1.${service}`]: {
          retry_codes: { strato_none: [] },
          methods: Object.fromEntries(methods.map((method) => [method, { retry_codes_name: 'strato_none' }])),
        },
      },
    },
  }
}

export function createComputeClients(authClient: AuthClient, endpoint: EndpointOverride | undefined): ComputeClients {
  const built = new Map<string, { close(): Promise<void> }>()
  const make = (property: keyof typeof CLIENTS) => {
    let client = built.get(property)
    if (!client) {
      const [file, className, service] = CLIENTS[property]
      const module = requireComputeClient(file, service) as Record<string, new (options: object, gax: unknown) => { close(): Promise<void> }>
      const config = requireHere(`@google-cloud/compute/build/src/v1/${file.replace(/\.js$/, '_config.json')}`) as { interfaces: Record<string, { methods: Record<string, unknown> }> }
      const methods = Object.keys(config.interfaces[`google.cloud.compute.v1.${service}`].methods)
      client = new module[className](clientOptions(service, methods, authClient, endpoint), gaxFallback())
      built.set(property, client)
    }
    return client
  }
  const clients = { close: async () => { await Promise.all([...built.values()].map((client) => client.close())) } } as ComputeClients
  for (const property of Object.keys(CLIENTS) as (keyof typeof CLIENTS)[]) {
    Object.defineProperty(clients, property, { get: () => make(property), enumerable: true })
  }
  return clients
}
