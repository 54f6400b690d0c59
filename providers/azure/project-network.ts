/**
 * What a project's services share on one azure target, brought to what the
 * remaining services need before any scale set is written: resource group,
 * network, the public services' NSG, public IP and load balancer, and, when
 * there is a private service, the internal load balancer and the private
 * NSG (so its address exists before any boot script that names it is
 * rendered). Each service's exposure comes from src/exposure.ts; a service
 * gone from the manifest (being deleted) keeps what it has on the balancers
 * until its scale set is gone, and one that stops being private keeps its
 * internal pool until its new model is out (`settle` drops both), as Azure
 * refuses to drop a pool a scale set's model names.
 */
import type { LoadBalancer } from '@azure/arm-network'
import { exposureOf, type Exposure } from '../../src/exposure.js'
import type { Progress } from '../../src/model.js'
import { deployer } from '../deployer.js'
import type { AzureClients } from './clients.js'
import type { DeploymentContext } from './deployment.js'
import { ignoreMissing } from './errors.js'
import {
  assignPrivateAddresses, internalLoadBalancerBody, privateAddressesOf, privateSecurityGroupBody, readInternalLoadBalancer, subnetPrefixOf, type PrivateService,
} from './internal-balancer.js'
import { azureTagCodec } from './label-codec.js'
import { assignFrontendPorts, network as names } from './naming.js'
import {
  ensureLoadBalancer, ensurePrivateSecurityGroup, ensurePublicIp, ensureSecurityGroup, ensureSubnet, frontendPortsOf, loadBalancerBody, loadDistribution,
  networkResourceId, publicIpBody, readLoadBalancer, securityGroupBody, SUBNET_PREFIX, type BalancedService, type NetworkIds,
} from './network.js'
import { ensureResourceGroup } from './resource-group.js'

export interface ProjectNetwork {
  ids: NetworkIds
  subnetId: string
  securityGroupId: string
  /** the private services' NSG, when there is one */
  privateSecurityGroupId?: string
  /** the public balancer's address */
  address: string
  /** each public service's port on the public balancer */
  ports: Record<string, number>
  /** each private service's internal frontend: its address and port */
  privates: Record<string, PrivateService>
  exposures: Record<string, Exposure>
  /** services no longer private whose internal pool stays until their new model is out */
  leaving: string[]
  at: string
  by: string
}

/** The public services a balancer has a rule for now, as it holds them. */
function publicEntriesOf(balancer: LoadBalancer | undefined): Record<string, BalancedService> {
  const entries: Record<string, BalancedService> = {}
  for (const rule of balancer?.loadBalancingRules ?? []) {
    const service = rule.name?.replace(/-http$/, '')
    const probe = balancer?.probes?.find((candidate) => candidate.name === names.probe(service ?? ''))
    if (service && rule.frontendPort !== undefined && rule.backendPort !== undefined) entries[service] = { service, port: rule.backendPort, health: probe?.requestPath, frontendPort: rule.frontendPort }
  }
  return entries
}

/** The private services the internal balancer has a rule for now. */
function privateEntriesOf(balancer: LoadBalancer | undefined): Record<string, PrivateService> {
  const addresses = privateAddressesOf(balancer)
  const entries: Record<string, PrivateService> = {}
  for (const rule of balancer?.loadBalancingRules ?? []) {
    const service = rule.name?.replace(/-tcp$/, '')
    if (service && addresses[service] && rule.backendPort !== undefined) entries[service] = { service, port: rule.backendPort, address: addresses[service] }
  }
  return entries
}

/** Removes the internal balancer and the private NSG once no private service is left on the target. */
async function dropPrivateNetwork(clients: AzureClients, ids: NetworkIds, progress: Progress): Promise<void> {
  const network = await clients.network()
  progress.step('no private service left: deleting the internal load balancer and the private NSG')
  await ignoreMissing(() => network.loadBalancers.delete(ids.resourceGroup, names.internalLoadBalancer(ids.project), clients.lro))
  await ignoreMissing(() => network.networkSecurityGroups.delete(ids.resourceGroup, names.privateNsg(ids.project), clients.lro))
}

export async function projectNetwork(context: DeploymentContext, keeping: string[], progress: Progress, settle = false): Promise<ProjectNetwork> {
  const { clients, manifest, target } = context
  const ids: NetworkIds = { subscriptionId: clients.subscriptionId, resourceGroup: context.resourceGroup, project: manifest.name }
  const tags = (role: string) => azureTagCodec.encode({ project: manifest.name, role }).labels
  progress.step(`resource group ${context.resourceGroup}, network and load balancers`)
  await ensureResourceGroup(clients, context.resourceGroup, target.location, manifest.name)
  const [balancer, internal] = await Promise.all([readLoadBalancer(clients, ids), readInternalLoadBalancer(clients, ids)])
  const publicNow = publicEntriesOf(balancer)
  const privateNow = privateEntriesOf(internal)
  const exposures: Record<string, Exposure> = Object.fromEntries(keeping.map((service) => {
    const spec = manifest.services[service]
    return [service, spec ? exposureOf(spec) : publicNow[service] ? 'public' : privateNow[service] ? 'private' : 'none']
  }))
  const of = (exposure: Exposure) => keeping.filter((service) => exposures[service] === exposure)
  const ports = assignFrontendPorts(of('public'), frontendPortsOf(balancer))
  const publics = of('public').map((service) => manifest.services[service]
    ? { service, port: manifest.services[service].port!, health: manifest.services[service].health, frontendPort: ports[service] }
    : publicNow[service])
  const nsg = await ensureSecurityGroup(clients, ids, securityGroupBody(target.location, tags('security-group'), publics))
  const subnetId = await ensureSubnet(clients, ids, target.location, tags('network'), target.subnet)

  let privates: Record<string, PrivateService> = {}
  let privateSecurityGroupId: string | undefined
  // services leaving the internal balancer: their running model still joins its pool
  const leaving = settle ? [] : keeping.filter((service) => exposures[service] !== 'private' && privateNow[service]).map((service) => privateNow[service])
  if (of('private').length > 0 || leaving.length > 0) {
    const prefix = target.subnet ? await subnetPrefixOf(clients, subnetId) : SUBNET_PREFIX
    const addresses = assignPrivateAddresses(of('private'), privateAddressesOf(internal), prefix)
    privates = Object.fromEntries(of('private').map((service) => [service, { service, port: manifest.services[service]?.port ?? privateNow[service].port, address: addresses[service] }]))
    const entries = [...Object.values(privates), ...leaving]
    progress.step(`internal load balancer ${names.internalLoadBalancer(ids.project)}: ${entries.map((entry) => `${entry.service} on ${entry.address}:${entry.port}`).join(', ')}`)
    privateSecurityGroupId = (await ensurePrivateSecurityGroup(clients, ids, privateSecurityGroupBody(target.location, tags('private-security-group'), entries))).id
    await ensureLoadBalancer(clients, ids, internalLoadBalancerBody(ids, target.location, tags('internal-load-balancer'), subnetId, entries, loadDistribution(manifest.loadBalancer)), names.internalLoadBalancer(ids.project))
  } else if (internal) {
    await dropPrivateNetwork(clients, ids, progress)
  }

  const ip = await ensurePublicIp(clients, ids, publicIpBody(target.location, tags('public-ip'), target.zones))
  const egressOnly = keeping.filter((service) => exposures[service] !== 'public')
  await ensureLoadBalancer(clients, ids, loadBalancerBody(ids, target.location, tags('load-balancer'), ip.id!, publics, loadDistribution(manifest.loadBalancer), egressOnly))
  return {
    ids, subnetId, securityGroupId: nsg.id!, privateSecurityGroupId, address: ip.ipAddress ?? '', ports, privates, exposures, leaving: leaving.map((entry) => entry.service),
    at: new Date(context.timing.now()).toISOString(), by: deployer(context.env),
  }
}

/** A public service's URL on the balancer's address. */
export function endpointUrl(address: string, frontendPort: number): string {
  return frontendPort === 80 ? `http://${address}` : `http://${address}:${frontendPort}`
}

/** Where a service answers: a public URL, a private address and port (said so), or nowhere (a worker). */
export function endpointOf(network: Pick<ProjectNetwork, 'address' | 'ports' | 'privates' | 'exposures'>, service: string): string | undefined {
  switch (network.exposures[service]) {
    case 'public': return endpointUrl(network.address, network.ports[service])
    case 'private': return `${network.privates[service].address}:${network.privates[service].port} (private)`
    default: return undefined
  }
}

/** The pools a service's VMs join: the public balancer's (outbound for all, inbound for a public service), and the internal one's for a private service. */
export function poolIdsOf(network: ProjectNetwork, service: string): string[] {
  const pool = (balancer: string) => `${networkResourceId(network.ids, 'loadBalancers', balancer)}/backendAddressPools/${names.pool(service)}`
  return [pool(names.loadBalancer(network.ids.project)), ...(network.exposures[service] === 'private' ? [pool(names.internalLoadBalancer(network.ids.project))] : [])]
}

/** The name each private service is reached by inside the target, and its internal address. */
export function privateHostsOf(network: ProjectNetwork): Record<string, string> {
  return Object.fromEntries(Object.values(network.privates).map((entry) => [entry.service, entry.address]))
}
