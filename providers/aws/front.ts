/**
 * What fronts a target's services, put in place by deploy: the shared
 * balancer with its security group and listener, per service a security
 * group for its instances and a target group, and the listener rules in
 * route order; moving a service that still has a balancer of its own
 * (migration.ts); and removing the shared balancer with the last service.
 */
import type { Manifest, Service } from '../../src/manifest/schema.js'
import { isPublic } from '../../src/exposure.js'
import { serviceRoute, type Route } from '../../src/lb/routes.js'
import type { Progress } from '../../src/model.js'
import { attachTargetGroup, detachTargetGroup, describeGroup } from './auto-scaling-group.js'
import { relabelRequestScaling, requestLabelOf } from './autoscaling-policies.js'
import type { AwsClients } from './clients.js'
import type { DeploymentContext } from './deployment.js'
import type { AwsInventory } from './inventory.js'
import { joinedSharedBalancer, serviceFront, sharedBalancer, sharedSecurityGroup } from './layout.js'
import { applyRuleChanges, deleteRule, existingRules } from './listener.js'
import { desiredRules, planRuleChanges } from './listener-rules.js'
import { deleteLoadBalancer, deleteTargetGroup, ensureSharedBalancer, ensureTargetGroup, ROUTE_TARGET_GROUP, type SharedBalancer } from './load-balancer.js'
import { moveToSharedBalancer, needsMove, type MoveOps } from './migration.js'
import { TAG } from './label-codec.js'
import { groupName } from './naming.js'
import type { Network } from './network.js'
import { deleteSecurityGroup, desiredIngress, ensureSecurityGroup, privateIngress, revokeIngressFrom, revokeRangeIngress } from './security-group.js'
import {
  applyListeners, deleteListenerTo, ensureInternalBalancer, ensurePrivateTargetGroup, internalBalancerOf, PRIVATE_TARGET_GROUP, type InternalBalancer,
} from './internal-balancer.js'

/** The route of every service the shared balancer fronts on aws: the public ones (src/exposure.ts). */
export function manifestRoutes(manifest: Manifest): Record<string, Route> {
  return Object.fromEntries(Object.entries(manifest.services).filter(([, spec]) => isPublic(spec)).map(([name, spec]) => [name, serviceRoute(name, spec.route)]))
}

/** Per service: its target group behind a balancer and its instances' security group. */
interface ServiceFronts {
  targetGroups: Map<string, string>
  appSecurityGroups: Map<string, string>
}

/** The services a deploy puts in front of a balancer, and those it deletes. */
interface FrontInput { services: string[]; deleting: string[] }

export interface Front extends ServiceFronts {
  balancer: SharedBalancer
  securityGroupId: string
}

/**
 * Puts the shared balancer and the named services' groups and target groups
 * in place, then makes the listener's rules match the routes: those services'
 * and any other service's that already has a rule (so priorities account for
 * it), leaving out the services being deleted, whose rules go first.
 */
export async function prepareFront(context: DeploymentContext, inventory: AwsInventory, network: Network, input: FrontInput, progress: Progress): Promise<Front> {
  const { clients, manifest } = context
  const project = manifest.name
  const specs = input.services.map((service) => [service, manifest.services[service]] as [string, Service])
  progress.step(`shared load balancer: security group, balancer, listener and rules for ${input.services.join(', ')}`)
  const securityGroupId = await ensureSecurityGroup(clients, { project, side: 'lb', vpcId: network.vpcId, ingress: desiredIngress('lb', 0), existing: inventory.securityGroups })
  const balancer = await ensureSharedBalancer(clients, { project, subnets: network.subnets, securityGroupId }, inventory.loadBalancers)
  const targetGroups = new Map<string, string>()
  const appSecurityGroups = new Map<string, string>()
  for (const [service, spec] of specs) {
    appSecurityGroups.set(service, await ensureSecurityGroup(clients, {
      project, service, side: 'app', vpcId: network.vpcId, ingress: desiredIngress('app', spec.port!, securityGroupId), existing: inventory.securityGroups,
    }))
    targetGroups.set(service, await ensureTargetGroup(clients, { project, service, port: spec.port!, healthPath: spec.health ?? '/', vpcId: network.vpcId }, inventory.targetGroups))
  }

  const rules = inventory.listenerArn === balancer.listenerArn ? inventory.rules : []
  const serviceOf = (arn: string) => inventory.targetGroups.find((tg) => tg.item.TargetGroupArn === arn && tg.tags[TAG.role] === ROUTE_TARGET_GROUP)?.tags[TAG.service] ??
    [...targetGroups].find(([, tg]) => tg === arn)?.[0]
  const existing = existingRules(rules, serviceOf)
  for (const rule of existing.filter((candidate) => candidate.service !== undefined && input.deleting.includes(candidate.service))) await deleteRule(clients, rule.arn)
  const kept = existing.filter((rule) => rule.service === undefined || !input.deleting.includes(rule.service))
  const routes = manifestRoutes(manifest)
  const others = kept.map((rule) => rule.service).filter((service): service is string => service !== undefined && !targetGroups.has(service) && routes[service] !== undefined)
  for (const service of others) targetGroups.set(service, serviceFront(inventory, service).targetGroup!.item.TargetGroupArn!)
  const routed = [...new Set([...input.services, ...others])].map((name) => ({ name, route: routes[name] }))
  await applyRuleChanges(clients, { project, listenerArn: balancer.listenerArn, changes: planRuleChanges(kept, desiredRules(routed)), targetGroups })
  return { balancer, securityGroupId, targetGroups, appSecurityGroups }
}

/** The internal balancer, and per private service its TCP target group and its instances' security group. */
export interface PrivateFront extends ServiceFronts {
  balancer: InternalBalancer
}

/**
 * Puts the internal balancer in place for the named private services: their
 * instances' security groups (the port from the VPC only), TCP target groups,
 * and a listener per port. Listeners of private services deployed before and
 * not being deleted stay; those of deleted ones go.
 */
export async function preparePrivateFront(
  context: DeploymentContext, inventory: AwsInventory, network: Network, input: FrontInput & { stillPrivate: string[] }, progress: Progress,
): Promise<PrivateFront> {
  const { clients, manifest } = context
  const project = manifest.name
  progress.step(`internal load balancer: listeners for ${input.services.join(', ')}`)
  const balancer = await ensureInternalBalancer(clients, { project, subnets: network.subnetRanges }, inventory.loadBalancers)
  const targetGroups = new Map<string, string>()
  const appSecurityGroups = new Map<string, string>()
  const wanted = new Map<number, string>()
  for (const service of input.services) {
    const port = manifest.services[service].port!
    appSecurityGroups.set(service, await ensureSecurityGroup(clients, {
      project, service, side: 'app', vpcId: network.vpcId, ingress: privateIngress(port, network.vpcCidrs), existing: inventory.securityGroups,
    }))
    const targetGroupArn = await ensurePrivateTargetGroup(clients, { project, service, port, vpcId: network.vpcId }, inventory.targetGroups)
    targetGroups.set(service, targetGroupArn)
    wanted.set(port, targetGroupArn)
  }
  // listeners of private services deployed before and still private stay; others' go (services that are public now leave later)
  const keepPorts = new Set(inventory.targetGroups
    .filter((tg) => tg.tags[TAG.role] === PRIVATE_TARGET_GROUP && !input.services.includes(tg.tags[TAG.service]) && !input.deleting.includes(tg.tags[TAG.service]) &&
      input.stillPrivate.includes(tg.tags[TAG.service]))
    .map((tg) => tg.item.Port!))
  await applyListeners(clients, { project, balancerArn: balancer.arn, wanted, keepPorts })
  return { balancer, targetGroups, appSecurityGroups }
}

/** A deployed service's group, what it is attached to, and the target group a balancer now has for it; none when not deployed. */
function deployedService(context: DeploymentContext, inventory: AwsInventory, fronts: ServiceFronts, service: string) {
  const found = serviceFront(inventory, service)
  if (!found.group) return undefined
  return { found, name: groupName(context.manifest.name, service), targetGroupArn: fronts.targetGroups.get(service)!, attached: found.group.TargetGroupARNs ?? [] }
}

/** Waits until the instances the group has in service are healthy in the target group. */
async function waitInServiceHealthy(clients: AwsClients, name: string, targetGroupArn: string, waitHealthy: (targetGroupArn: string, count: number) => Promise<void>): Promise<void> {
  const group = await describeGroup(clients, name)
  const inService = (group?.Instances ?? []).filter((instance) => instance.LifecycleState === 'InService').length
  if (inService > 0) await waitHealthy(targetGroupArn, inService)
}

/**
 * A deployed service that is private now (it had a rule on the public
 * balancer before private services existed): it joins the internal balancer
 * first, then leaves the public one: its rule, target group and the
 * balancer's admission to its instances go.
 */
export async function moveToInternalBalancer(
  context: DeploymentContext, inventory: AwsInventory, privateFront: PrivateFront, service: string,
  waitHealthy: (targetGroupArn: string, count: number) => Promise<void>, progress: Progress,
): Promise<void> {
  const { clients } = context
  const deployed = deployedService(context, inventory, privateFront, service)
  if (!deployed) return
  const { found, name, targetGroupArn, attached } = deployed
  if (!attached.includes(targetGroupArn)) {
    progress.step(`${service}: joins the internal load balancer`)
    await attachTargetGroup(clients, name, targetGroupArn)
    await waitInServiceHealthy(clients, name, targetGroupArn, waitHealthy)
  }
  const publicGroups = [found.targetGroup, found.legacy.targetGroup].filter((group): group is NonNullable<typeof group> => group !== undefined)
  if (!found.rule && !found.legacy.balancer && publicGroups.length === 0) return
  progress.step(`${service}: leaves the public load balancer`)
  if (found.rule) await deleteRule(clients, found.rule.RuleArn!)
  for (const group of publicGroups) if (attached.includes(group.item.TargetGroupArn!)) await detachTargetGroup(clients, name, group.item.TargetGroupArn!)
  if (found.legacy.balancer) await deleteLoadBalancer(clients, found.legacy.balancer.item.LoadBalancerArn!, context.timing.sleep)
  for (const group of publicGroups) await deleteTargetGroup(clients, group.item.TargetGroupArn!, context.timing.sleep)
  for (const balancerGroup of [sharedSecurityGroup(inventory), found.legacy.securityGroup]) {
    if (balancerGroup && found.appSecurityGroup) await revokeIngressFrom(clients, found.appSecurityGroup, balancerGroup.GroupId!)
  }
  if (found.legacy.securityGroup) await deleteSecurityGroup(clients, found.legacy.securityGroup.GroupId!, context.timing.sleep)
}

/**
 * A deployed service that is public now, once behind the shared balancer
 * (joinSharedBalancer): it leaves the internal one, whose listener and its TCP
 * target group go, and its instances stop admitting the VPC's ranges.
 */
export async function leaveInternalBalancer(context: DeploymentContext, inventory: AwsInventory, service: string, progress: Progress): Promise<void> {
  const { clients } = context
  const found = serviceFront(inventory, service)
  const targetGroup = found.privateTargetGroup
  if (!found.group || !targetGroup) return
  progress.step(`${service}: leaves the internal load balancer`)
  const arn = targetGroup.item.TargetGroupArn!
  const internal = internalBalancerOf(inventory.loadBalancers)
  if (internal) await deleteListenerTo(clients, internal.item.LoadBalancerArn!, arn)
  if ((found.group.TargetGroupARNs ?? []).includes(arn)) await detachTargetGroup(clients, groupName(context.manifest.name, service), arn)
  await deleteTargetGroup(clients, arn, context.timing.sleep)
  if (found.appSecurityGroup) await revokeRangeIngress(clients, found.appSecurityGroup)
}

/** Moves a deployed service behind the shared balancer when it is not yet there fully (see migration.ts). */
export async function joinSharedBalancer(
  context: DeploymentContext, inventory: AwsInventory, front: Front, service: string,
  waitHealthy: (targetGroupArn: string, count: number) => Promise<void>, progress: Progress,
): Promise<void> {
  const { clients } = context
  const deployed = deployedService(context, inventory, front, service)
  if (!deployed) return
  const { found, name, targetGroupArn, attached } = deployed
  const own = found.legacy
  const state = {
    service,
    attach: !(joinedSharedBalancer(found) && found.targetGroup?.item.TargetGroupArn === targetGroupArn),
    own: {
      balancer: Boolean(own.balancer),
      targetGroup: Boolean(own.targetGroup),
      targetGroupAttached: Boolean(own.targetGroup && attached.includes(own.targetGroup.item.TargetGroupArn!)),
      securityGroup: Boolean(own.securityGroup),
    },
  }
  if (!needsMove(state)) return
  const ops: MoveOps = {
    attach: () => attachTargetGroup(clients, name, targetGroupArn),
    detach: () => detachTargetGroup(clients, name, targetGroupArn),
    waitHealthy: () => waitInServiceHealthy(clients, name, targetGroupArn, waitHealthy),
    relabelScaling: () => relabelRequestScaling(clients, name, requestLabelOf(front.balancer.arn, targetGroupArn)),
    deleteOwnBalancer: () => deleteLoadBalancer(clients, own.balancer!.item.LoadBalancerArn!, context.timing.sleep),
    detachOwnTargetGroup: () => detachTargetGroup(clients, name, own.targetGroup!.item.TargetGroupArn!),
    deleteOwnTargetGroup: () => deleteTargetGroup(clients, own.targetGroup!.item.TargetGroupArn!, context.timing.sleep),
    async deleteOwnSecurityGroup() {
      if (found.appSecurityGroup) await revokeIngressFrom(clients, found.appSecurityGroup, own.securityGroup!.GroupId!)
      await deleteSecurityGroup(clients, own.securityGroup!.GroupId!, context.timing.sleep)
    },
  }
  await moveToSharedBalancer(ops, state, progress)
}

/** With the project's last service on the target gone: the shared balancer (listener and all), then its security group. */
export async function deleteSharedBalancer(clients: AwsClients, inventory: AwsInventory, sleep: (ms: number) => Promise<void>): Promise<void> {
  const balancer = sharedBalancer(inventory)
  if (balancer) await deleteLoadBalancer(clients, balancer.item.LoadBalancerArn!, sleep)
  const group = sharedSecurityGroup(inventory)
  if (group) await deleteSecurityGroup(clients, group.GroupId!, sleep)
}
