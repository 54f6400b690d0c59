/**
 * The internal balancer of a target's private services (bodies in
 * internal-balancer-bodies.ts): the target's subnet in its region (read from
 * the network, whose auto-mode subnets are one per region), the address
 * reserved in it before any template is rendered, so every container gets
 * `--add-host <private service>:<address>`, and the address released when no
 * private service is left. A reserved address never moves: redeploying a
 * public service renders the same hosts.
 */
import type { protos } from '@google-cloud/compute'
import { UserError, notSupported } from '../../src/errors.js'
import { privateServicesOn as privateServicesOnTarget } from '../../src/exposure.js'
import type { Manifest, Service } from '../../src/manifest/schema.js'
import type { Resource } from '../../src/model.js'
import type { GcpApi } from './api.js'
import { ensureAddress, remove } from './compute-resources.js'
import { lastSegment } from './group-state.js'
import { internalAddressBody, portClashes, privateHosts, SHARED_ADDRESS_RULES } from './internal-balancer-bodies.js'
import { internalAddressName } from './naming.js'
import type { GcpTargetSettings } from './target-settings.js'

type Network = protos.google.cloud.compute.v1.INetwork

export interface TargetSubnet {
  /** the subnetwork's link */
  link: string
  /** its primary range, which a private service's firewall admits */
  range: string
}

export interface InternalBalancer {
  subnet: TargetSubnet
  /** the reserved address's link, which the forwarding rules name */
  addressLink: string
  /** the IP itself, which the containers' hosts name */
  address: string
  hosts: Record<string, string>
}

/** The private services a target runs (src/exposure.ts), with their specs, in manifest order. */
export function privateServicesOn(manifest: Manifest, targetName: string): [string, Service][] {
  return privateServicesOnTarget(manifest, targetName).map((name) => [name, manifest.services[name]])
}

/** Refusals before anything is created: the shared address takes one rule per port, and at most ten. */
export function checkPrivateServices(manifest: Manifest, targetName: string): void {
  const services = privateServicesOn(manifest, targetName)
  const clashes = portClashes(services)
  if (clashes.length) {
    throw notSupported(`Private services on one port of gcp target "${targetName}" (${clashes.join('; ')}: they share one internal address, one rule per port)`,
      'Give each private service a different port (services.<name>.port, and its callers\' URLs), put one on another target, or make it public with expose: public and a health path.')
  }
  if (services.length > SHARED_ADDRESS_RULES) {
    throw notSupported(`More than ${SHARED_ADDRESS_RULES} private services on one gcp target (${services.length} on "${targetName}")`, 'Move some private services to another target, or make some public.')
  }
}

/** The link of a network's one subnet in `region` (as networks.get lists them); pure. */
export function regionSubnet(network: Pick<Network, 'name' | 'subnetworks'>, region: string): string {
  const inRegion = (network.subnetworks ?? []).filter((link) => link.includes(`/regions/${region}/subnetworks/`))
  if (inRegion.length === 0) {
    throw new UserError(`Network ${network.name} has no subnet in ${region}, where the target's private services need their internal address.`, {
      code: 'usage', fix: `Create a subnet of ${network.name} in ${region} (or use an auto-mode network such as default), then deploy again.`,
    })
  }
  if (inRegion.length > 1) {
    throw notSupported(`Choosing among the ${inRegion.length} subnets of network ${network.name} in ${region} for private services`, 'Use a network with one subnet in the target\'s region.')
  }
  return inRegion[0]
}

/** The subnet of the target's network in the target's region. */
export async function targetSubnet(api: GcpApi, settings: GcpTargetSettings): Promise<TargetSubnet> {
  const [network] = await api.call('networks.get', () => api.compute.networks.get({ project: api.project, network: lastSegment(settings.network) }))
  const link = regionSubnet(network, api.region)
  const [subnet] = await api.call('subnetworks.get', () => api.compute.subnetworks.get({ project: api.project, region: api.region, subnetwork: lastSegment(link) }))
  return { link: String(subnet.selfLink ?? link), range: String(subnet.ipCidrRange) }
}

/**
 * Drift for plan, on groups: a private service with no internal forwarding rule is still where it
 * was before it was private (on the public balancer), one with such a rule that is no longer
 * private must leave it; a service whose current template gives its
 * container other hosts than the target's private services (one added, or removed, since) gets
 * them with a new template of the same version.
 */
export function privateDrift(resources: Resource[], privateNames: string[]): Resource[] {
  const internal = new Set(resources.filter((resource) => resource.kind === 'balancer' && resource.details?.scheme === 'INTERNAL').map((resource) => resource.service))
  const hostsOf = new Map(resources.filter((resource) => resource.kind === 'template').map((resource) => [resource.details?.name, (resource.details?.hosts ?? []) as string[]]))
  const wanted = [...privateNames].sort()
  return resources.map((resource) => {
    if (resource.kind !== 'group' || !resource.service) return resource
    const drift: string[] = []
    if (privateNames.includes(resource.service) && !internal.has(resource.service)) drift.push('private: moves to the internal balancer')
    if (!privateNames.includes(resource.service) && internal.has(resource.service)) drift.push('no longer private: leaves the internal balancer')
    const hosts = hostsOf.get((resource.details?.templates as string[] | undefined)?.at(-1))
    if (hosts && hosts.join() !== wanted.join()) drift.push(`containers' hosts: ${wanted.length ? wanted.join(', ') : 'none'} (were ${hosts.length ? hosts.join(', ') : 'none'})`)
    return drift.length ? { ...resource, drift: [...(resource.drift ?? []), ...drift] } : resource
  })
}

/** Reserves (or finds) the target's internal address; undefined when the target runs no private service. */
export async function putInternalAddress(api: GcpApi, manifest: Manifest, targetName: string, settings: GcpTargetSettings): Promise<InternalBalancer | undefined> {
  const services = privateServicesOn(manifest, targetName)
  if (services.length === 0) return undefined
  const subnet = await targetSubnet(api, settings)
  const reserved = await ensureAddress(api, internalAddressBody({ project: manifest.name, target: targetName, subnetwork: subnet.link }))
  const address = String(reserved.address)
  return { subnet, addressLink: String(reserved.selfLink), address, hosts: privateHosts(services.map(([name]) => name), address) }
}

/** Releases the address (after its forwarding rules are gone); false when there was none. Read first: a deploy that changes nothing mutates nothing. */
export async function releaseInternalAddress(api: GcpApi, project: string, targetName: string): Promise<boolean> {
  const address = internalAddressName(project, targetName)
  const found = await api.find('addresses.get', () => api.compute.addresses.get({ project: api.project, region: api.region, address }))
  return found ? remove.address(api, address) : false
}
