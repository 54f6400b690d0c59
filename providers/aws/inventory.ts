/**
 * What exists for a project on one aws target, read back from tags only: the
 * groups, their instances (the replicas), balancers, target groups, security
 * groups and launch templates. Each kind is one paginated listing with a tag
 * filter, all run at once, so the number of calls does not grow with the
 * number of services (no per-group or per-instance calls).
 *
 * The replicas come from the groups' member lists, which carry each
 * instance's state, health, zone and launch template (whose name holds the
 * version). Listing EC2 instances as well costs far more (a page of 1,000
 * instances is a large answer) and is done only when every instance must be
 * seen, e.g. to prove a destroy left nothing.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling'
import type { Instance, LaunchTemplate, SecurityGroup } from '@aws-sdk/client-ec2'
import type { LoadBalancer, Rule, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Route } from '../../src/lb/routes.js'
import { type Resource } from '../../src/model.js'
import { awsTagCodec, TAG } from './label-codec.js'
import { groupCounts, listGroups } from './auto-scaling-group.js'
import type { AwsClients } from './clients.js'
import { listInstances } from './instances.js'
import { listLaunchTemplates, templateVersion } from './launch-template.js'
import { frontDrift, hostsDrift, privateDrift, serviceEndpoint } from './layout.js'
import { readListener } from './listener.js'
import { ADDRESS_TAG, isInternalBalancer } from './internal-balancer.js'
import { isSharedBalancer, listLoadBalancers, listTargetGroups, type Tagged } from './load-balancer.js'
import { tagMap } from './naming.js'
import { listSecurityGroups } from './security-group.js'

/** strato's state on a resource, read through the codec. */
const stateOf = (tags: Record<string, string>) => awsTagCodec.decode(tags)

export interface AwsInventory {
  groups: AutoScalingGroup[]
  /** EC2's own listing, only when asked for */
  instances?: Instance[]
  loadBalancers: Tagged<LoadBalancer>[]
  targetGroups: Tagged<TargetGroup>[]
  securityGroups: SecurityGroup[]
  launchTemplates: LaunchTemplate[]
  /** the shared balancer's HTTP listener and its rules (the default one left out), when it exists */
  listenerArn?: string
  rules: Rule[]
}

export async function readInventory(clients: AwsClients, project: string, options: { ec2Instances?: boolean } = {}): Promise<AwsInventory> {
  const [groups, instances, loadBalancers, targetGroups, securityGroups, launchTemplates] = await Promise.all([
    listGroups(clients, project),
    options.ec2Instances ? listInstances(clients, project) : undefined,
    listLoadBalancers(clients, project),
    listTargetGroups(clients, project),
    listSecurityGroups(clients, project),
    listLaunchTemplates(clients, project),
  ])
  const shared = loadBalancers.find((lb) => isSharedBalancer(lb.tags))
  const listener = shared ? await readListener(clients, shared.item.LoadBalancerArn!) : { rules: [] }
  return { groups, instances, loadBalancers, targetGroups, securityGroups, launchTemplates, ...listener }
}

function groupHealth(group: AutoScalingGroup): Resource['health'] {
  const members = group.Instances ?? []
  if (members.length === 0) return 'none'
  if (members.some((member) => member.HealthStatus === 'Unhealthy')) return 'unhealthy'
  return members.every((member) => member.LifecycleState === 'InService') ? 'healthy' : 'starting'
}

/** Lifecycle states of a group member as the core's states. */
function memberState(lifecycle: string | undefined): Resource['state'] {
  if (lifecycle === 'InService') return 'running'
  if (lifecycle?.startsWith('Pending') || lifecycle === 'Warmed:Pending') return 'pending'
  if (lifecycle === undefined) return 'unknown'
  return 'stopped'
}

/** A member's version: its launch template is named <group>-<version>[-h<hosts>]; else the group's version tag. */
function memberVersion(groupName: string, templateName: string | undefined, groupVersion: string | undefined): string | undefined {
  return templateVersion(groupName, templateName) ?? groupVersion
}

const INSTANCE_STATE: Record<string, Resource['state']> = {
  pending: 'pending', running: 'running', stopping: 'stopped', stopped: 'stopped', 'shutting-down': 'stopped', terminated: 'stopped',
}

/**
 * The inventory as the core's Resources; pure, so unit tests feed it recorded
 * answers. With the manifest's routes, a group whose front differs from its
 * route (or that still has a balancer to itself) carries that as drift, and
 * so does a private service not (only) behind the internal balancer.
 */
export function toResources(inventory: AwsInventory, target: string, region: string, routes: Record<string, Route> = {}, privates: string[] = []): Resource[] {
  const resources: Resource[] = []

  for (const group of inventory.groups) {
    const labels = tagMap(group.Tags)
    const state = stateOf(labels)
    const counts = groupCounts(group)
    const desired = group.DesiredCapacity ?? 0
    resources.push({
      id: group.AutoScalingGroupARN ?? group.AutoScalingGroupName!,
      kind: 'group',
      target,
      service: state?.service,
      version: state?.version,
      location: region,
      state: desired === 0 ? 'stopped' : counts.inService >= desired ? 'running' : 'pending',
      health: groupHealth(group),
      labels,
      endpoint: state?.service ? serviceEndpoint(inventory, state.service) : undefined,
      drift: state?.service ? orNothing([
        ...(routes[state.service] ? frontDrift(inventory, state.service, routes[state.service]) : privates.includes(state.service) ? privateDrift(inventory, state.service) : []),
        ...hostsDrift(inventory, state.service, privates),
      ]) : undefined,
      createdAt: group.CreatedTime?.toISOString(),
      details: {
        name: group.AutoScalingGroupName, min: group.MinSize, max: group.MaxSize, desired,
        inService: counts.inService, healthy: counts.healthy,
        launchTemplate: group.LaunchTemplate ? { id: group.LaunchTemplate.LaunchTemplateId, version: group.LaunchTemplate.Version } : undefined,
        targetGroups: group.TargetGroupARNs,
      },
    })
  }
  const members = new Set<string>()
  for (const group of inventory.groups) {
    const labels = tagMap(group.Tags)
    const { [TAG.role]: _role, ...propagated } = labels
    for (const member of group.Instances ?? []) {
      members.add(member.InstanceId!)
      const state = memberState(member.LifecycleState)
      resources.push({
        id: member.InstanceId!,
        kind: 'instance',
        target,
        service: stateOf(labels)?.service,
        version: memberVersion(group.AutoScalingGroupName!, member.LaunchTemplate?.LaunchTemplateName, stateOf(labels)?.version),
        // the region, not the zone: status shows one row per service and region
        location: region,
        state,
        health: member.HealthStatus === 'Unhealthy' ? 'unhealthy' : state === 'pending' ? 'starting' : state === 'running' ? 'healthy' : 'none',
        labels: propagated,
        details: { zone: member.AvailabilityZone, instanceType: member.InstanceType, group: group.AutoScalingGroupName },
      })
    }
  }
  // instances tagged with the project that no group lists (left over, or being terminated)
  for (const instance of inventory.instances ?? []) {
    if (members.has(instance.InstanceId!)) continue
    const labels = tagMap(instance.Tags)
    resources.push({
      id: instance.InstanceId!,
      kind: 'instance',
      target,
      service: stateOf(labels)?.service,
      version: stateOf(labels)?.version,
      location: region,
      state: INSTANCE_STATE[instance.State?.Name ?? ''] ?? 'unknown',
      health: 'none',
      labels,
      createdAt: instance.LaunchTime?.toISOString(),
      details: { zone: instance.Placement?.AvailabilityZone, instanceType: instance.InstanceType, privateIp: instance.PrivateIpAddress, publicIp: instance.PublicIpAddress },
    })
  }
  for (const lb of inventory.loadBalancers) {
    const code = lb.item.State?.Code
    resources.push({
      id: lb.item.LoadBalancerArn!, kind: 'balancer', target, service: stateOf(lb.tags)?.service, location: region,
      state: code === 'active' ? 'running' : code === 'provisioning' ? 'pending' : code === 'failed' ? 'failed' : 'unknown',
      labels: lb.tags, endpoint: isInternalBalancer(lb.tags) ? lb.tags[ADDRESS_TAG] : lb.item.DNSName ? `http://${lb.item.DNSName}` : undefined,
      details: { name: lb.item.LoadBalancerName, scheme: lb.item.Scheme, shared: isSharedBalancer(lb.tags), ...(isInternalBalancer(lb.tags) ? { address: lb.tags[ADDRESS_TAG] } : {}) },
    })
  }
  for (const group of inventory.targetGroups) {
    resources.push({
      id: group.item.TargetGroupArn!, kind: 'target-group', target, service: stateOf(group.tags)?.service, location: region,
      state: 'running', labels: group.tags, details: { name: group.item.TargetGroupName, port: group.item.Port, healthPath: group.item.HealthCheckPath },
    })
  }
  for (const group of inventory.securityGroups) {
    const labels = tagMap(group.Tags)
    resources.push({ id: group.GroupId!, kind: 'security-group', target, service: stateOf(labels)?.service, location: region, state: 'running', labels, details: { name: group.GroupName, vpcId: group.VpcId } })
  }
  for (const template of inventory.launchTemplates) {
    const labels = tagMap(template.Tags)
    resources.push({
      id: template.LaunchTemplateId!, kind: 'template', target, service: stateOf(labels)?.service, location: region, state: 'running', labels,
      details: { name: template.LaunchTemplateName, latestVersion: template.LatestVersionNumber },
    })
  }
  return resources
}

const orNothing = (list: string[]) => (list.length ? list : undefined)
