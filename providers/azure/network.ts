/**
 * The network a project's services share on one azure target: a virtual
 * network and subnet (unless the target names a subnet), one NSG that admits
 * the public services' ports (the balancer's probes come in through Azure's
 * own AllowAzureLoadBalancerInBound rule), one Standard public IP and one
 * Standard load balancer with, per public service, a backend pool, an HTTP
 * probe on its health path and a rule from its frontend port to its port,
 * and per service of any kind an outbound rule (with its pool) so its VMs
 * can install Docker and pull images. Private services are on no rule of
 * it: they have the internal balancer (internal-balancer.ts). The bodies
 * are pure (unit-tested); ensure* write them only when they differ.
 */
import type { LoadBalancer, NetworkSecurityGroup, PublicIPAddress, SecurityRule, VirtualNetwork } from '@azure/arm-network'
import type { Manifest } from '../../src/manifest/schema.js'
import { covers } from './autoscale.js'
import type { AzureClients } from './clients.js'
import { isNotFound } from './errors.js'
import { network as names } from './naming.js'

export const VNET_PREFIX = '10.42.0.0/16'
export const SUBNET_PREFIX = '10.42.0.0/20'
const FIRST_RULE_PRIORITY = 200

/** One service as the balancer and the NSG see it. */
export interface BalancedService {
  service: string
  /** the port the service listens on, on its VMs */
  port: number
  /** the health path the probe asks; without one the probe only opens a TCP connection */
  health?: string
  /** its port on the balancer's public IP */
  frontendPort: number
}

export interface NetworkIds {
  subscriptionId: string
  resourceGroup: string
  project: string
}

export function networkResourceId(ids: NetworkIds, type: string, name: string): string {
  return `/subscriptions/${ids.subscriptionId}/resourceGroups/${ids.resourceGroup}/providers/Microsoft.Network/${type}/${name}`
}

/** The NSG: one inbound rule per distinct service port, from anywhere (a Standard balancer keeps the client's address). */
export function securityGroupBody(location: string, tags: Record<string, string>, services: BalancedService[]): NetworkSecurityGroup {
  const ports = [...new Set(services.map((entry) => entry.port))].sort((a, b) => a - b)
  const securityRules: SecurityRule[] = ports.map((port, index) => ({
    name: `allow-service-${port}`,
    description: `strato: ${services.filter((entry) => entry.port === port).map((entry) => entry.service).join(', ')} behind the load balancer`,
    protocol: 'Tcp', access: 'Allow', direction: 'Inbound', priority: FIRST_RULE_PRIORITY + index,
    sourceAddressPrefix: 'Internet', sourcePortRange: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: String(port),
  }))
  return { location, tags, securityRules }
}

export function virtualNetworkBody(location: string, tags: Record<string, string>): VirtualNetwork {
  return { location, tags, addressSpace: { addressPrefixes: [VNET_PREFIX] }, subnets: [{ name: names.subnet, addressPrefix: SUBNET_PREFIX }] }
}

export function publicIpBody(location: string, tags: Record<string, string>, zones: string[] | undefined): PublicIPAddress {
  return { location, tags, sku: { name: 'Standard', tier: 'Regional' }, publicIPAllocationMethod: 'Static', publicIPAddressVersion: 'IPv4', ...(zones?.length ? { zones } : {}) }
}

/**
 * Azure's Standard balancer hashes on the 5-tuple (Default) or the client IP
 * (SourceIP); least-conn and weighted have no counterpart at layer 4.
 */
export function loadDistribution(settings: Manifest['loadBalancer']): 'Default' | 'SourceIP' {
  return settings?.algorithm === 'consistent-hash' ? 'SourceIP' : 'Default'
}

/** `services` are the public ones; `egressOnly` (private services, workers) get a pool and an outbound rule, never a rule in. */
export function loadBalancerBody(ids: NetworkIds, location: string, tags: Record<string, string>, publicIpId: string, services: BalancedService[], distribution: 'Default' | 'SourceIP', egressOnly: string[] = []): LoadBalancer {
  const lbId = networkResourceId(ids, 'loadBalancers', names.loadBalancer(ids.project))
  const child = (collection: string, name: string) => ({ id: `${lbId}/${collection}/${name}` })
  const sorted = [...services].sort((a, b) => a.service.localeCompare(b.service))
  const pooled = [...new Set([...sorted.map((entry) => entry.service), ...egressOnly])].sort()
  return {
    location, tags, sku: { name: 'Standard', tier: 'Regional' },
    frontendIPConfigurations: [{ name: names.frontend, publicIPAddress: { id: publicIpId } }],
    backendAddressPools: pooled.map((service) => ({ name: names.pool(service) })),
    probes: sorted.map((entry) => ({
      name: names.probe(entry.service), port: entry.port, intervalInSeconds: 5, numberOfProbes: 2, probeThreshold: 2,
      ...(entry.health ? { protocol: 'Http' as const, requestPath: entry.health } : { protocol: 'Tcp' as const }),
    })),
    loadBalancingRules: sorted.map((entry) => ({
      name: names.rule(entry.service), protocol: 'Tcp', frontendPort: entry.frontendPort, backendPort: entry.port,
      frontendIPConfiguration: child('frontendIPConfigurations', names.frontend), backendAddressPool: child('backendAddressPools', names.pool(entry.service)),
      probe: child('probes', names.probe(entry.service)), loadDistribution: distribution, idleTimeoutInMinutes: 4, enableFloatingIP: false, enableTcpReset: true,
      // outbound traffic goes through the outbound rules below instead
      disableOutboundSnat: true,
    })),
    outboundRules: pooled.map((service) => ({
      name: `${service}-outbound`, protocol: 'All', enableTcpReset: true, idleTimeoutInMinutes: 4,
      frontendIPConfigurations: [child('frontendIPConfigurations', names.frontend)], backendAddressPool: child('backendAddressPools', names.pool(service)),
    })),
  }
}

/** The frontend port each service has on the balancer now, from its rules. */
export function frontendPortsOf(balancer: LoadBalancer | undefined): Record<string, number> {
  const ports: Record<string, number> = {}
  for (const rule of balancer?.loadBalancingRules ?? []) {
    const service = rule.name?.replace(/-http$/, '')
    if (service && rule.frontendPort !== undefined) ports[service] = rule.frontendPort
  }
  return ports
}

/** A read for which a 404 means "not there". */
export async function getOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read()
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

export async function readLoadBalancer(clients: AzureClients, ids: NetworkIds): Promise<LoadBalancer | undefined> {
  const network = await clients.network()
  return getOrUndefined(() => network.loadBalancers.get(ids.resourceGroup, names.loadBalancer(ids.project)))
}

export async function readPublicIp(clients: AzureClients, ids: NetworkIds): Promise<PublicIPAddress | undefined> {
  const network = await clients.network()
  return getOrUndefined(() => network.publicIPAddresses.get(ids.resourceGroup, names.publicIp(ids.project)))
}

/** PUTs a resource when what exists does not already hold everything wanted. */
async function ensure<T extends object>(read: () => Promise<T | undefined>, wanted: T, write: () => Promise<T>): Promise<T> {
  const existing = await getOrUndefined(read)
  if (existing && covers(existing, wanted)) return existing
  return write()
}

export async function ensureSecurityGroup(clients: AzureClients, ids: NetworkIds, body: NetworkSecurityGroup): Promise<NetworkSecurityGroup> {
  const network = await clients.network()
  const name = names.nsg(ids.project)
  return ensure(() => network.networkSecurityGroups.get(ids.resourceGroup, name), body, () => network.networkSecurityGroups.createOrUpdate(ids.resourceGroup, name, body, clients.lro))
}

/** The subnet the VMs go in: the target's, else the project's own virtual network. */
export async function ensureSubnet(clients: AzureClients, ids: NetworkIds, location: string, tags: Record<string, string>, targetSubnet: string | undefined): Promise<string> {
  if (targetSubnet) return targetSubnet
  const network = await clients.network()
  const name = names.vnet(ids.project)
  const body = virtualNetworkBody(location, tags)
  const vnet = await ensure(() => network.virtualNetworks.get(ids.resourceGroup, name), { location, tags, addressSpace: body.addressSpace, subnets: [{ name: names.subnet }] },
    () => network.virtualNetworks.createOrUpdate(ids.resourceGroup, name, body, clients.lro))
  return vnet.subnets?.find((subnet) => subnet.name === names.subnet)?.id ?? `${networkResourceId(ids, 'virtualNetworks', name)}/subnets/${names.subnet}`
}

export async function ensurePublicIp(clients: AzureClients, ids: NetworkIds, body: PublicIPAddress): Promise<PublicIPAddress> {
  const network = await clients.network()
  const name = names.publicIp(ids.project)
  return ensure(() => network.publicIPAddresses.get(ids.resourceGroup, name), { location: body.location, tags: body.tags, sku: { name: 'Standard' } },
    () => network.publicIPAddresses.createOrUpdate(ids.resourceGroup, name, body, clients.lro))
}

export async function ensurePrivateSecurityGroup(clients: AzureClients, ids: NetworkIds, body: NetworkSecurityGroup): Promise<NetworkSecurityGroup> {
  const network = await clients.network()
  const name = names.privateNsg(ids.project)
  return ensure(() => network.networkSecurityGroups.get(ids.resourceGroup, name), body, () => network.networkSecurityGroups.createOrUpdate(ids.resourceGroup, name, body, clients.lro))
}

/** The public balancer, or the internal one with `name`: written when any collection differs from the body. */
export async function ensureLoadBalancer(clients: AzureClients, ids: NetworkIds, body: LoadBalancer, name = names.loadBalancer(ids.project)): Promise<LoadBalancer> {
  const network = await clients.network()
  const existing = await getOrUndefined(() => network.loadBalancers.get(ids.resourceGroup, name))
  // every collection is compared whole: a service dropped from the body must go from the balancer
  const same = existing && covers(existing, body)
    && (['frontendIPConfigurations', 'backendAddressPools', 'probes', 'loadBalancingRules', 'outboundRules'] as const).every((key) => (existing[key] ?? []).length === (body[key] ?? []).length)
  return same ? existing : network.loadBalancers.createOrUpdate(ids.resourceGroup, name, body, clients.lro)
}
