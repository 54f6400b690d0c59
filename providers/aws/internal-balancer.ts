/**
 * The target's internal Network Load Balancer, shared by the project's private
 * services (src/exposure.ts): scheme internal, so it has private addresses
 * only; a TCP listener per private service on its port, forwarding to the
 * service's TCP target group (TCP health check on the port).
 *
 * Its address is chosen by strato, not by AWS: a fixed private IP in each
 * subnet (SubnetMappings), computed from the project name and the subnet's
 * range. Containers reach a private service through `--add-host name:address`
 * written into launch templates, so the address must be known before the
 * templates are rendered and must not change when the balancer is made again.
 * A DNS name resolved at boot would tie every instance's start to DNS and make
 * the address in user data differ from what `status` can show.
 */
import { createHash } from 'node:crypto'
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DeleteListenerCommand, DescribeListenersCommand,
  ModifyListenerCommand, ModifyLoadBalancerAttributesCommand, type Listener, type LoadBalancer, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { UserError } from '../../src/errors.js'
import { privatePortClashes } from '../../src/exposure.js'
import type { Manifest } from '../../src/manifest/schema.js'
import type { AwsClients } from './clients.js'
import { isAwsError } from './errors.js'
import { TAG } from './label-codec.js'
import { deleteLoadBalancer, type Tagged } from './load-balancer.js'
import { internalBalancerName, stateTags, stratoTags, targetGroupName, type Role } from './naming.js'

export const INTERNAL_BALANCER: Role = 'internal-load-balancer'
export const PRIVATE_TARGET_GROUP: Role = 'private-target-group'
/** The tag (through the codec's extras) that holds the address strato gave the balancer. */
export const ADDRESS_TAG = 'strato.address'

export interface SubnetRange { id: string; cidr: string }
export interface InternalBalancer { arn: string; address: string }

const toInt = (ip: string) => ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0)
const toIp = (value: number) => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')

/**
 * The balancer's address in one subnet: near the top of the range (instances
 * take addresses from the bottom first), below the one AWS reserves there, and
 * different per project so two projects in one subnet rarely meet. Pure.
 */
export function internalAddress(project: string, cidr: string): string {
  const [base, bits] = cidr.split('/')
  const size = 2 ** (32 - Number(bits))
  // AWS reserves the first four addresses and the last one of every subnet
  const span = Math.max(1, Math.min(16, Math.floor((size - 5) / 2)))
  const offset = parseInt(createHash('sha256').update(project).digest('hex').slice(0, 8), 16) % span
  const network = toInt(base) - (toInt(base) % size)
  return toIp(network + size - 2 - offset)
}

/** The subnets with the balancer's address in each; the first subnet's address is the one containers use. */
export function subnetMappings(project: string, subnets: SubnetRange[]): { SubnetId: string; PrivateIPv4Address: string }[] {
  return [...subnets].sort((a, b) => a.id.localeCompare(b.id)).map((subnet) => ({ SubnetId: subnet.id, PrivateIPv4Address: internalAddress(project, subnet.cidr) }))
}

/** `--add-host` pairs for the container of `self`: every private service of the project, at the balancer's address. Pure. */
export function privateHosts(names: string[], address: string | undefined, self: string): { name: string; address: string }[] {
  if (address === undefined) return []
  return names.filter((name) => name !== self).sort().map((name) => ({ name, address }))
}

/** How status and deploy show a private service: the internal balancer's address and the port, and that it is private. */
export function privateEndpoint(address: string, port: number): string {
  return `${address}:${port} (private)`
}

/** Two private services on one port of a target cannot share the internal balancer's one address. Pure. */
export function portClash(manifest: Manifest, targetName: string): { port: number; services: [string, string] } | undefined {
  const clash = privatePortClashes(manifest, targetName)[0]
  return clash && { port: clash.port, services: [clash.services[0], clash.services[1]] }
}

export function isInternalBalancer(tags: Record<string, string>): boolean {
  return tags[TAG.service] === undefined && tags[TAG.role] === INTERNAL_BALANCER
}

export function internalBalancerOf(balancers: Tagged<LoadBalancer>[]): (Tagged<LoadBalancer> & { address?: string }) | undefined {
  const found = balancers.find((lb) => isInternalBalancer(lb.tags))
  return found && { ...found, address: found.tags[ADDRESS_TAG] }
}

/** Finds or creates the project's internal balancer, with cross-zone balancing so its one address reaches every zone's instances. */
export async function ensureInternalBalancer(clients: AwsClients, input: { project: string; subnets: SubnetRange[] }, existing: Tagged<LoadBalancer>[]): Promise<InternalBalancer> {
  const mappings = subnetMappings(input.project, input.subnets)
  const address = mappings[0].PrivateIPv4Address
  const found = internalBalancerOf(existing)
  if (found) return { arn: found.item.LoadBalancerArn!, address: found.address ?? address }
  let arn: string
  try {
    const created = await clients.elb.send(new CreateLoadBalancerCommand({
      Name: internalBalancerName(input.project),
      Type: 'network',
      Scheme: 'internal',
      SubnetMappings: mappings,
      Tags: stateTags({ project: input.project, role: INTERNAL_BALANCER, extra: { address } }),
    }))
    arn = created.LoadBalancers![0].LoadBalancerArn!
  } catch (error) {
    if (!isAwsError(error, 'InvalidConfigurationRequest', 'InvalidConfigurationRequestException')) throw error
    throw new UserError(`The internal load balancer of ${input.project} could not take its addresses (${mappings.map((m) => m.PrivateIPv4Address).join(', ')}): ${error.message}`, {
      code: 'conflict', fix: 'Free those addresses in the target\'s subnets (an instance or interface holds one), or list other subnets in the target, then deploy again.',
    })
  }
  await clients.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }] }))
  return { arn, address }
}

/** A private service's target group: TCP to its port, health-checked by a TCP connection to it. */
export async function ensurePrivateTargetGroup(clients: AwsClients, spec: { project: string; service: string; port: number; vpcId: string }, existing: Tagged<TargetGroup>[]): Promise<string> {
  const found = existing.find((group) => group.tags[TAG.service] === spec.service && group.tags[TAG.role] === PRIVATE_TARGET_GROUP)
  if (found) return found.item.TargetGroupArn!
  const created = await clients.elb.send(new CreateTargetGroupCommand({
    Name: targetGroupName(spec.project, `${spec.service}-tcp`),
    Protocol: 'TCP',
    Port: spec.port,
    VpcId: spec.vpcId,
    TargetType: 'instance',
    HealthCheckProtocol: 'TCP',
    HealthCheckPort: 'traffic-port',
    HealthCheckIntervalSeconds: 10,
    HealthyThresholdCount: 3,
    UnhealthyThresholdCount: 3,
    Tags: stratoTags(spec.project, spec.service, PRIVATE_TARGET_GROUP),
  }))
  return created.TargetGroups![0].TargetGroupArn!
}

export async function internalListeners(clients: AwsClients, balancerArn: string): Promise<Listener[]> {
  return (await clients.elb.send(new DescribeListenersCommand({ LoadBalancerArn: balancerArn }))).Listeners ?? []
}

const forwardsTo = (listener: Listener) => listener.DefaultActions?.find((action) => action.Type === 'forward')?.TargetGroupArn

export interface ListenerChanges { create: { port: number; targetGroupArn: string }[]; modify: { arn: string; targetGroupArn: string }[]; remove: string[] }

/**
 * What makes the listeners match the private services: one per service port,
 * forwarding to its target group; listeners whose port no service has any
 * more go. Pure: unit tests compare it exactly.
 */
export function planListeners(listeners: Pick<Listener, 'ListenerArn' | 'Port' | 'DefaultActions'>[], wanted: Map<number, string>, keepPorts: Set<number>): ListenerChanges {
  const changes: ListenerChanges = { create: [], modify: [], remove: [] }
  for (const [port, targetGroupArn] of [...wanted].sort(([a], [b]) => a - b)) {
    const have = listeners.find((listener) => listener.Port === port)
    if (!have) changes.create.push({ port, targetGroupArn })
    else if (forwardsTo(have) !== targetGroupArn) changes.modify.push({ arn: have.ListenerArn!, targetGroupArn })
  }
  for (const listener of listeners) if (!wanted.has(listener.Port!) && !keepPorts.has(listener.Port!)) changes.remove.push(listener.ListenerArn!)
  return changes
}

/** A TCP listener per private service port; `keepPorts` are other deployed private services' ports, left alone. */
export async function applyListeners(clients: AwsClients, input: { project: string; balancerArn: string; wanted: Map<number, string>; keepPorts: Set<number> }): Promise<void> {
  const changes = planListeners(await internalListeners(clients, input.balancerArn), input.wanted, input.keepPorts)
  for (const arn of changes.remove) await deleteListener(clients, arn)
  for (const change of changes.modify) {
    await clients.elb.send(new ModifyListenerCommand({ ListenerArn: change.arn, DefaultActions: [{ Type: 'forward', TargetGroupArn: change.targetGroupArn }] }))
  }
  for (const change of changes.create) {
    await clients.elb.send(new CreateListenerCommand({
      LoadBalancerArn: input.balancerArn, Protocol: 'TCP', Port: change.port,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: change.targetGroupArn }],
      Tags: stratoTags(input.project, undefined, INTERNAL_BALANCER),
    }))
  }
}

/** The listener forwarding to a target group goes before the group can. */
export async function deleteListenerTo(clients: AwsClients, balancerArn: string, targetGroupArn: string): Promise<void> {
  for (const listener of await internalListeners(clients, balancerArn)) {
    if (forwardsTo(listener) === targetGroupArn) await deleteListener(clients, listener.ListenerArn!)
  }
}

async function deleteListener(clients: AwsClients, arn: string): Promise<void> {
  try {
    await clients.elb.send(new DeleteListenerCommand({ ListenerArn: arn }))
  } catch (error) {
    if (!isAwsError(error, 'ListenerNotFound', 'ListenerNotFoundException')) throw error
  }
}

/** With the project's last private service gone: the balancer and its listeners. */
export async function deleteInternalBalancer(clients: AwsClients, balancers: Tagged<LoadBalancer>[], sleep: (ms: number) => Promise<void>): Promise<void> {
  const found = internalBalancerOf(balancers)
  if (found) await deleteLoadBalancer(clients, found.item.LoadBalancerArn!, sleep)
}
