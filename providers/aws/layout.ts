/**
 * What fronts each service on an aws target, read from the inventory's tags:
 * the target's shared balancer (no service tag), the service's target group
 * behind it and the listener rule forwarding there; and what is left of the
 * layout strato used before balancers were shared (a balancer, target group
 * and balancer security group per service), which deploy moves away from.
 * Pure: unit tests feed it recorded answers.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling'
import type { SecurityGroup } from '@aws-sdk/client-ec2'
import type { LoadBalancer, Rule, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'
import { describeRoute, routeUrl, type Route } from '../../src/lb/routes.js'
import type { AwsInventory } from './inventory.js'
import { TAG } from './label-codec.js'
import { forwardTarget } from './listener.js'
import { routeOfConditions, ruleConditions, sameConditions } from './listener-rules.js'
import { isSharedBalancer, ROUTE_TARGET_GROUP, type Tagged } from './load-balancer.js'
import { internalBalancerOf, privateEndpoint, privateHosts, PRIVATE_TARGET_GROUP } from './internal-balancer.js'
import { hostsSuffix } from './launch-template.js'
import { tagMap } from './naming.js'

export function sharedBalancer(inventory: Pick<AwsInventory, 'loadBalancers'>): Tagged<LoadBalancer> | undefined {
  return inventory.loadBalancers.find((lb) => isSharedBalancer(lb.tags))
}

/** The shared balancer's security group: the project's balancer group without a service. */
export function sharedSecurityGroup(inventory: Pick<AwsInventory, 'securityGroups'>): SecurityGroup | undefined {
  return inventory.securityGroups.find((group) => {
    const tags = tagMap(group.Tags)
    return tags[TAG.role] === 'lb-security-group' && tags[TAG.service] === undefined
  })
}

export interface ServiceFront {
  group?: AutoScalingGroup
  /** the service's target group behind the shared balancer, and the rule forwarding to it */
  targetGroup?: Tagged<TargetGroup>
  rule?: Rule
  /** a private service's TCP target group behind the internal balancer */
  privateTargetGroup?: Tagged<TargetGroup>
  appSecurityGroup?: SecurityGroup
  /** what the service had to itself before balancers were shared */
  legacy: { balancer?: Tagged<LoadBalancer>; targetGroup?: Tagged<TargetGroup>; securityGroup?: SecurityGroup }
}

export function serviceFront(inventory: AwsInventory, service: string): ServiceFront {
  const ofService = (tags: Record<string, string>) => tags[TAG.service] === service
  const targetGroup = inventory.targetGroups.find((tg) => ofService(tg.tags) && tg.tags[TAG.role] === ROUTE_TARGET_GROUP)
  const securityGroup = (role: string) => inventory.securityGroups.find((group) => ofService(tagMap(group.Tags)) && tagMap(group.Tags)[TAG.role] === role)
  return {
    group: inventory.groups.find((group) => ofService(tagMap(group.Tags))),
    targetGroup,
    rule: targetGroup && inventory.rules.find((rule) => forwardTarget(rule) === targetGroup.item.TargetGroupArn),
    privateTargetGroup: inventory.targetGroups.find((tg) => ofService(tg.tags) && tg.tags[TAG.role] === PRIVATE_TARGET_GROUP),
    appSecurityGroup: securityGroup('app-security-group'),
    legacy: {
      balancer: inventory.loadBalancers.find((lb) => ofService(lb.tags)),
      targetGroup: inventory.targetGroups.find((tg) => ofService(tg.tags) && tg.tags[TAG.role] === 'target-group'),
      securityGroup: securityGroup('lb-security-group'),
    },
  }
}

/** Whether the service's group registers its instances with its target group behind the shared balancer. */
export function joinedSharedBalancer(front: ServiceFront): boolean {
  return Boolean(front.targetGroup && front.group?.TargetGroupARNs?.includes(front.targetGroup.item.TargetGroupArn!))
}

/** Whether the service's group registers its instances with its TCP target group behind the internal balancer. */
export function joinedInternalBalancer(front: ServiceFront): boolean {
  return Boolean(front.privateTargetGroup && front.group?.TargetGroupARNs?.includes(front.privateTargetGroup.item.TargetGroupArn!))
}

/**
 * Where the service answers: a private one at the internal balancer's address
 * and its port; a public one on its route on the shared balancer, else the
 * balancer it still has to itself.
 */
export function serviceEndpoint(inventory: AwsInventory, service: string): string | undefined {
  const front = serviceFront(inventory, service)
  const address = internalBalancerOf(inventory.loadBalancers)?.address
  if (address && front.privateTargetGroup && joinedInternalBalancer(front)) return privateEndpoint(address, front.privateTargetGroup.item.Port!)
  const shared = sharedBalancer(inventory)?.item.DNSName
  const route = front.rule && routeOfConditions(front.rule.Conditions ?? [])
  if (shared && route && joinedSharedBalancer(front)) return routeUrl(shared, route)
  const own = front.legacy.balancer?.item.DNSName
  return own ? `http://${own}` : undefined
}

/**
 * What deploy must change in front of a deployed service for it to answer on
 * its route behind the shared balancer, as plan reasons; none when it does.
 */
export function frontDrift(inventory: AwsInventory, service: string, route: Route): string[] {
  const front = serviceFront(inventory, service)
  if (!front.group) return []
  // a service that was private before: the internal balancer's listener and target group go once it is public
  const leaving = front.privateTargetGroup ? ['public: leaves the internal load balancer'] : []
  return [...sharedDrift(front, route), ...leaving]
}

function sharedDrift(front: ServiceFront, route: Route): string[] {
  if (front.legacy.balancer) return [`moves from its own load balancer to the target's shared one (${describeRoute(route)})`]
  if (!joinedSharedBalancer(front)) return [`joins the target's shared load balancer (${describeRoute(route)})`]
  if (!front.rule) return [`route ${describeRoute(route)} on the shared load balancer`]
  if (!sameConditions(front.rule.Conditions ?? [], ruleConditions(route))) {
    const was = routeOfConditions(front.rule.Conditions ?? [])
    return [`route ${was ? describeRoute(was) : 'changed by hand'} -> ${describeRoute(route)}`]
  }
  return []
}

/** What deploy must change in front of a deployed private service, as plan reasons; none when it answers on the internal balancer only. */
export function privateDrift(inventory: AwsInventory, service: string): string[] {
  const front = serviceFront(inventory, service)
  if (!front.group) return []
  const reasons: string[] = []
  if (!joinedInternalBalancer(front)) reasons.push('private: moves behind the internal load balancer')
  if (front.rule || front.legacy.balancer || joinedSharedBalancer(front)) reasons.push('private: leaves the public load balancer')
  return reasons
}

/**
 * Whether the containers of a deployed service reach the project's private
 * services by name as they should now: its current template's name carries
 * the hash of its `--add-host` pairs. Before the internal balancer exists its
 * address is unknown, so only a template without any is out of date.
 */
export function hostsDrift(inventory: AwsInventory, service: string, privates: string[]): string[] {
  const group = inventory.groups.find((candidate) => tagMap(candidate.Tags)[TAG.service] === service)
  const name = inventory.launchTemplates.find((template) => template.LaunchTemplateId === group?.LaunchTemplate?.LaunchTemplateId)?.LaunchTemplateName
  if (!group || !name) return []
  const wanted = privates.filter((other) => other !== service).sort()
  const have = /-h[0-9a-f]{6}$/.exec(name)?.[0] ?? ''
  const address = internalBalancerOf(inventory.loadBalancers)?.address
  const fresh = address === undefined ? (wanted.length === 0) === (have === '') : have === hostsSuffix(privateHosts(privates, address, service))
  if (fresh) return []
  return [wanted.length ? `containers reach ${wanted.join(', ')} by name (--add-host)` : 'no private services to reach by name any more']
}
