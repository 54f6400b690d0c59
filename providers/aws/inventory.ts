/**
 * What exists for a project on one aws target, read back from tags only: the
 * groups, their instances (the replicas), balancers, target groups, security
 * groups and launch templates. Each kind is one paginated listing with a tag
 * filter, all run at once, so the number of calls does not grow with the
 * number of services (no per-group or per-instance calls).
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling'
import type { Instance, LaunchTemplate, SecurityGroup } from '@aws-sdk/client-ec2'
import type { LoadBalancer, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'
import { LABEL, type Resource } from '../../src/model.js'
import { groupCounts, listGroups } from './auto-scaling-group.js'
import type { AwsClients } from './clients.js'
import { listInstances } from './instances.js'
import { listLaunchTemplates } from './launch-template.js'
import { listLoadBalancers, listTargetGroups, type Tagged } from './load-balancer.js'
import { tagMap } from './naming.js'
import { listSecurityGroups } from './security-group.js'

export interface AwsInventory {
  groups: AutoScalingGroup[]
  instances: Instance[]
  loadBalancers: Tagged<LoadBalancer>[]
  targetGroups: Tagged<TargetGroup>[]
  securityGroups: SecurityGroup[]
  launchTemplates: LaunchTemplate[]
}

export async function readInventory(clients: AwsClients, project: string): Promise<AwsInventory> {
  const [groups, instances, loadBalancers, targetGroups, securityGroups, launchTemplates] = await Promise.all([
    listGroups(clients, project),
    listInstances(clients, project),
    listLoadBalancers(clients, project),
    listTargetGroups(clients, project),
    listSecurityGroups(clients, project),
    listLaunchTemplates(clients, project),
  ])
  return { groups, instances, loadBalancers, targetGroups, securityGroups, launchTemplates }
}

function groupHealth(group: AutoScalingGroup): Resource['health'] {
  const members = group.Instances ?? []
  if (members.length === 0) return 'none'
  if (members.some((member) => member.HealthStatus === 'Unhealthy')) return 'unhealthy'
  return members.every((member) => member.LifecycleState === 'InService') ? 'healthy' : 'starting'
}

const INSTANCE_STATE: Record<string, Resource['state']> = {
  pending: 'pending', running: 'running', stopping: 'stopped', stopped: 'stopped', 'shutting-down': 'stopped', terminated: 'stopped',
}

/** The inventory as the core's Resources; pure, so unit tests feed it recorded answers. */
export function toResources(inventory: AwsInventory, target: string, region: string): Resource[] {
  const resources: Resource[] = []
  const memberHealth = new Map<string, string>()
  for (const group of inventory.groups) for (const member of group.Instances ?? []) memberHealth.set(member.InstanceId!, member.HealthStatus ?? '')
  const endpoints = new Map<string, string>()
  for (const lb of inventory.loadBalancers) {
    const service = lb.tags[LABEL.service]
    if (service && lb.item.DNSName) endpoints.set(service, `http://${lb.item.DNSName}`)
  }

  for (const group of inventory.groups) {
    const labels = tagMap(group.Tags)
    const counts = groupCounts(group)
    const desired = group.DesiredCapacity ?? 0
    resources.push({
      id: group.AutoScalingGroupARN ?? group.AutoScalingGroupName!,
      kind: 'aws.autoScalingGroup',
      target,
      service: labels[LABEL.service],
      version: labels[LABEL.version],
      location: region,
      state: desired === 0 ? 'stopped' : counts.inService >= desired ? 'running' : 'pending',
      health: groupHealth(group),
      labels,
      endpoint: labels[LABEL.service] ? endpoints.get(labels[LABEL.service]) : undefined,
      createdAt: group.CreatedTime?.toISOString(),
      details: {
        name: group.AutoScalingGroupName, min: group.MinSize, max: group.MaxSize, desired,
        inService: counts.inService, healthy: counts.healthy,
        launchTemplate: group.LaunchTemplate ? { id: group.LaunchTemplate.LaunchTemplateId, version: group.LaunchTemplate.Version } : undefined,
      },
    })
  }
  for (const instance of inventory.instances) {
    const labels = tagMap(instance.Tags)
    const state = INSTANCE_STATE[instance.State?.Name ?? ''] ?? 'unknown'
    const groupHealth = memberHealth.get(instance.InstanceId!)
    resources.push({
      id: instance.InstanceId!,
      kind: 'instance',
      target,
      service: labels[LABEL.service],
      version: labels[LABEL.version],
      // the region, not the zone: status shows one row per service and region
      location: region,
      state,
      health: groupHealth === 'Healthy' ? 'healthy' : groupHealth === 'Unhealthy' ? 'unhealthy' : state === 'pending' ? 'starting' : 'none',
      labels,
      createdAt: instance.LaunchTime?.toISOString(),
      details: { zone: instance.Placement?.AvailabilityZone, instanceType: instance.InstanceType, privateIp: instance.PrivateIpAddress, publicIp: instance.PublicIpAddress },
    })
  }
  for (const lb of inventory.loadBalancers) {
    const code = lb.item.State?.Code
    resources.push({
      id: lb.item.LoadBalancerArn!, kind: 'aws.loadBalancer', target, service: lb.tags[LABEL.service], location: region,
      state: code === 'active' ? 'running' : code === 'provisioning' ? 'pending' : code === 'failed' ? 'failed' : 'unknown',
      labels: lb.tags, endpoint: lb.item.DNSName ? `http://${lb.item.DNSName}` : undefined,
      details: { name: lb.item.LoadBalancerName, scheme: lb.item.Scheme },
    })
  }
  for (const group of inventory.targetGroups) {
    resources.push({
      id: group.item.TargetGroupArn!, kind: 'aws.targetGroup', target, service: group.tags[LABEL.service], location: region,
      state: 'running', labels: group.tags, details: { name: group.item.TargetGroupName, port: group.item.Port, healthPath: group.item.HealthCheckPath },
    })
  }
  for (const group of inventory.securityGroups) {
    const labels = tagMap(group.Tags)
    resources.push({ id: group.GroupId!, kind: 'aws.securityGroup', target, service: labels[LABEL.service], location: region, state: 'running', labels, details: { name: group.GroupName, vpcId: group.VpcId } })
  }
  for (const template of inventory.launchTemplates) {
    const labels = tagMap(template.Tags)
    resources.push({
      id: template.LaunchTemplateId!, kind: 'aws.launchTemplate', target, service: labels[LABEL.service], location: region, state: 'running', labels,
      details: { name: template.LaunchTemplateName, latestVersion: template.LatestVersionNumber },
    })
  }
  return resources
}
