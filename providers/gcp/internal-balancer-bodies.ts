/**
 * The internal passthrough Network Load Balancer in front of a target's
 * private services, as request bodies. Pure.
 *
 * One reserved internal address per target and project, in the target's
 * subnet, with purpose SHARED_LOADBALANCER_VIP: each private service gets its
 * own regional backend service (INTERNAL, TCP) over its group and its own
 * INTERNAL forwarding rule on its port, all on that one address. One address
 * means one `--add-host` answer for every private service and one thing to
 * keep stable; a passthrough balancer cannot route by port to different
 * groups, hence a backend service and a rule per service. The shared address
 * takes up to ten rules, each on distinct ports (preflight refuses two private
 * services on one port).
 */
import type { protos } from '@google-cloud/compute'
import type { Service } from '../../src/manifest/schema.js'
import { regionalBackendServiceBody, regionalForwardingRuleBody } from './balancer-bodies.js'
import { projectState, type ServiceIdentity } from './group-bodies.js'
import { internalAddressName } from './naming.js'
import { labelsOf, stateDescription } from './resource-state.js'

type Address = protos.google.cloud.compute.v1.IAddress
type BackendService = protos.google.cloud.compute.v1.IBackendService
type ForwardingRule = protos.google.cloud.compute.v1.IForwardingRule

/** Forwarding rules Compute Engine lets share one SHARED_LOADBALANCER_VIP address. */
export const SHARED_ADDRESS_RULES = 10

export interface InternalAddressInput { project: string; target: string; subnetwork: string }

export function internalAddressBody(input: InternalAddressInput): Address {
  const state = projectState(input.project, input.target, 'internal-address')
  return {
    name: internalAddressName(input.project, input.target),
    description: stateDescription(state),
    labels: labelsOf(state),
    addressType: 'INTERNAL',
    purpose: 'SHARED_LOADBALANCER_VIP',
    subnetwork: input.subnetwork,
  }
}

export interface InternalBackendInput extends ServiceIdentity { instanceGroup: string; healthCheckLink: string; network: string }

/** The external network balancer's regional backend service, INTERNAL and in the target's network. */
export function internalBackendServiceBody(input: InternalBackendInput): BackendService {
  return { ...regionalBackendServiceBody(input), loadBalancingScheme: 'INTERNAL', network: input.network }
}

export interface InternalRuleInput extends ServiceIdentity { port: number; backendServiceLink: string; addressLink: string; network: string; subnetwork: string }

/** The service's port on the shared address; reachable from the region's instances of the network only (no global access). */
export function internalForwardingRuleBody(input: InternalRuleInput): ForwardingRule {
  // the external rule's fields but its tier: an internal rule's tier is its address's
  const { networkTier: _tier, ...rule } = regionalForwardingRuleBody(input)
  return { ...rule, IPAddress: input.addressLink, loadBalancingScheme: 'INTERNAL', network: input.network, subnetwork: input.subnetwork, allowGlobalAccess: false }
}

/** `--add-host` answers for the containers: every private service's name at the shared address, sorted. */
export function privateHosts(privateServices: string[], address: string | undefined): Record<string, string> {
  if (!address) return {}
  return Object.fromEntries([...privateServices].sort().map((service) => [service, address]))
}

/** Private services that would need the same port on the shared address, as "a and b on 5432". */
export function portClashes(services: [string, Service][]): string[] {
  const byPort = new Map<number, string[]>()
  for (const [name, spec] of services) if (spec.port !== undefined) byPort.set(spec.port, [...(byPort.get(spec.port) ?? []), name])
  return [...byPort].filter(([, names]) => names.length > 1).map(([port, names]) => `${names.join(' and ')} on ${port}`)
}
