/**
 * The project's private services on one azure target (src/exposure.ts): one
 * internal Standard load balancer `strato-<project>-ilb`, shared by them and
 * created only when there is one. Each private service gets a frontend in
 * the target's subnet on a Static private address (so redeploys never move
 * it and the public services' boot scripts, which map the service's name to
 * it, stay the same), a backend pool, a TCP probe on its port and a rule
 * from that port to its port. Their VMs sit behind a second NSG admitting
 * their ports from the virtual network and Azure's probe source only. The
 * bodies and the address choice are pure (unit-tested).
 */
import type { LoadBalancer, NetworkSecurityGroup, SecurityRule } from '@azure/arm-network'
import { UserError } from '../../src/errors.js'
import { privateServicesOn as privateServicesOnTarget } from '../../src/exposure.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { LABEL, type Resource } from '../../src/model.js'
import { hostNames } from './custom-data.js'
import { TAG } from './inventory.js'
import type { AzureClients } from './clients.js'
import { network as names } from './naming.js'
import { getOrUndefined, networkResourceId, type NetworkIds } from './network.js'

const FIRST_RULE_PRIORITY = 200

/** A private service as the internal balancer and its NSG see it. */
export interface PrivateService {
  service: string
  /** the port it listens on, on its VMs and on its frontend */
  port: number
  /** its frontend's static address in the target's subnet */
  address: string
}

function toNumber(address: string): number {
  const parts = address.split('.').map(Number)
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) throw new Error(`not an IPv4 address: ${address}`)
  return parts.reduce((sum, part) => sum * 256 + part, 0)
}

function toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')
}

/**
 * The addresses of a subnet Azure lets a static IP configuration take, from
 * the highest down: it reserves the network address, the next three and the
 * broadcast address.
 */
export function usableFromTop(prefix: string): { first: number; last: number; at(value: number): string } {
  const [base, bits] = prefix.split('/')
  const size = 2 ** (32 - Number(bits))
  const network = toNumber(base) - (toNumber(base) % size)
  return { first: network + 4, last: network + size - 2, at: toAddress }
}

/**
 * Private addresses for the internal balancer's frontends. A service keeps
 * the address it has (a moved address would change every public service's
 * boot script); a new one takes the highest usable address of the subnet
 * that no frontend holds, far from the low ones Azure hands out to VMs.
 */
export function assignPrivateAddresses(services: string[], existing: Record<string, string>, subnetPrefix: string): Record<string, string> {
  const range = usableFromTop(subnetPrefix)
  const addresses: Record<string, string> = {}
  const taken = new Set<number>()
  // every address the balancer holds stays taken, also those of services on their way out
  for (const address of Object.values(existing)) taken.add(toNumber(address))
  for (const service of services) if (existing[service] !== undefined) addresses[service] = existing[service]
  let next = range.last
  for (const service of [...services].sort()) {
    if (addresses[service] !== undefined) continue
    while (taken.has(next)) next--
    if (next < range.first) {
      throw new UserError(`The subnet ${subnetPrefix} has no free address left for ${service}'s internal load balancer frontend.`, {
        code: 'conflict', fix: 'Give the target a larger subnet (targets.<name>.subnet), or fewer private services.',
      })
    }
    addresses[service] = range.at(next)
    taken.add(next)
  }
  return addresses
}

/** The private address each service's frontend has on the internal balancer now. */
export function privateAddressesOf(balancer: LoadBalancer | undefined): Record<string, string> {
  const addresses: Record<string, string> = {}
  for (const frontend of balancer?.frontendIPConfigurations ?? []) {
    const service = frontend.name?.endsWith(names.privateFrontendSuffix) ? frontend.name.slice(0, -names.privateFrontendSuffix.length) : undefined
    if (service && frontend.privateIPAddress) addresses[service] = frontend.privateIPAddress
  }
  return addresses
}

export function internalLoadBalancerBody(ids: NetworkIds, location: string, tags: Record<string, string>, subnetId: string, services: PrivateService[], distribution: 'Default' | 'SourceIP'): LoadBalancer {
  const lbId = networkResourceId(ids, 'loadBalancers', names.internalLoadBalancer(ids.project))
  const child = (collection: string, name: string) => ({ id: `${lbId}/${collection}/${name}` })
  const sorted = [...services].sort((a, b) => a.service.localeCompare(b.service))
  return {
    location, tags, sku: { name: 'Standard', tier: 'Regional' },
    frontendIPConfigurations: sorted.map((entry) => ({
      name: names.privateFrontend(entry.service), subnet: { id: subnetId },
      privateIPAllocationMethod: 'Static', privateIPAddress: entry.address, privateIPAddressVersion: 'IPv4',
    })),
    backendAddressPools: sorted.map((entry) => ({ name: names.pool(entry.service) })),
    probes: sorted.map((entry) => ({ name: names.privateProbe(entry.service), protocol: 'Tcp', port: entry.port, intervalInSeconds: 5, numberOfProbes: 2, probeThreshold: 2 })),
    loadBalancingRules: sorted.map((entry) => ({
      name: names.privateRule(entry.service), protocol: 'Tcp', frontendPort: entry.port, backendPort: entry.port,
      frontendIPConfiguration: child('frontendIPConfigurations', names.privateFrontend(entry.service)), backendAddressPool: child('backendAddressPools', names.pool(entry.service)),
      probe: child('probes', names.privateProbe(entry.service)), loadDistribution: distribution, idleTimeoutInMinutes: 30, enableFloatingIP: false, enableTcpReset: true,
    })),
  }
}

/**
 * The private services' NSG: per port, the virtual network (the project's
 * own services) and Azure's probe source. Two rules, as Azure refuses
 * service tags in a rule's list of prefixes. Never the internet.
 */
export function privateSecurityGroupBody(location: string, tags: Record<string, string>, services: Pick<PrivateService, 'service' | 'port'>[]): NetworkSecurityGroup {
  const ports = [...new Set(services.map((entry) => entry.port))].sort((a, b) => a - b)
  const securityRules: SecurityRule[] = ports.flatMap((port, index) => {
    const users = services.filter((entry) => entry.port === port).map((entry) => entry.service).join(', ')
    const rule = (name: string, source: string, offset: number, why: string): SecurityRule => ({
      name, description: `strato: ${users} ${why}`, protocol: 'Tcp', access: 'Allow', direction: 'Inbound', priority: FIRST_RULE_PRIORITY + index * 2 + offset,
      sourceAddressPrefix: source, sourcePortRange: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: String(port),
    })
    return [rule(`allow-network-${port}`, 'VirtualNetwork', 0, 'from the virtual network only'), rule(`allow-probe-${port}`, 'AzureLoadBalancer', 1, 'probed by the internal load balancer')]
  })
  return { location, tags, securityRules }
}

export async function readInternalLoadBalancer(clients: AzureClients, ids: NetworkIds): Promise<LoadBalancer | undefined> {
  const network = await clients.network()
  return getOrUndefined(() => network.loadBalancers.get(ids.resourceGroup, names.internalLoadBalancer(ids.project)))
}

/** The address range of the subnet the VMs and the internal frontends are in (a target's own subnet is read). */
export async function subnetPrefixOf(clients: AzureClients, subnetId: string): Promise<string> {
  const match = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i.exec(subnetId)
  if (!match) throw new Error(`not a subnet id: ${subnetId}`)
  const network = await clients.network()
  const subnet = await network.subnets.get(match[1], match[2], match[3])
  const prefix = subnet.addressPrefix ?? subnet.addressPrefixes?.find((candidate) => !candidate.includes(':'))
  if (!prefix) throw new Error(`subnet ${subnetId} reports no IPv4 address prefix`)
  return prefix
}

/** The project's private services on a target (src/exposure.ts), in name order: the order their frontends take addresses. */
export function privateServicesOn(manifest: Manifest, targetName: string): string[] {
  return privateServicesOnTarget(manifest, targetName).sort()
}

/**
 * Drift for plan, on scale sets (read from their tags): a private service
 * still where it was before it was private (not on the internal balancer),
 * one on it that is no longer private, and a service whose containers get
 * other --add-host names than the target's private services (one added or
 * removed since). Deploy then rolls the same version out, which fixes it.
 */
export function privateDrift(resources: Resource[], manifest: Manifest, targetName: string): Resource[] {
  const privates = privateServicesOn(manifest, targetName)
  return resources.map((resource) => {
    if (resource.kind !== 'group' || !resource.service || !manifest.services[resource.service] || resource.labels[LABEL.role] !== 'scale-set') return resource
    const service = resource.service
    const drift: string[] = []
    const internal = resource.labels[TAG.endpoint]?.endsWith(' (private)') ?? false
    if (privates.includes(service) && !internal) drift.push('private: moves to the internal load balancer')
    if (!privates.includes(service) && internal) drift.push('no longer private: leaves the internal load balancer')
    const wanted = hostNames(privates, service)
    const have = resource.labels[TAG.hosts] ?? ''
    if (have !== wanted) drift.push(`containers' hosts: ${wanted ? wanted.replaceAll(',', ', ') : 'none'} (were ${have ? have.replaceAll(',', ', ') : 'none'})`)
    return drift.length ? { ...resource, drift: [...(resource.drift ?? []), ...drift] } : resource
  })
}
