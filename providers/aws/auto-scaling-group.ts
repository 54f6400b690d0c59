/**
 * The Auto Scaling group of a service: spread over the target's subnets,
 * registered with the service's target group and health-checked through its
 * load balancer (a service without a port has neither), and tagged so that status reads its state back from tags alone.
 */
import {
  AttachLoadBalancerTargetGroupsCommand, CreateAutoScalingGroupCommand, CreateOrUpdateTagsCommand, DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand, DetachLoadBalancerTargetGroupsCommand, SetDesiredCapacityCommand, TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand, paginateDescribeAutoScalingGroups, type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling'
import { UserError } from '../../src/errors.js'
import { TAG } from './label-codec.js'
import type { AwsClients } from './clients.js'
import { isAwsError } from './errors.js'
import { groupName, stratoTags } from './naming.js'

export async function listGroups(clients: AwsClients, project: string): Promise<AutoScalingGroup[]> {
  const groups: AutoScalingGroup[] = []
  const paginator = paginateDescribeAutoScalingGroups({ client: clients.autoScaling, pageSize: 100 }, {
    Filters: [{ Name: `tag:${TAG.project}`, Values: [project] }],
  })
  for await (const page of paginator) groups.push(...(page.AutoScalingGroups ?? []))
  return groups
}

export async function describeGroup(clients: AwsClients, name: string): Promise<AutoScalingGroup | undefined> {
  const answer = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))
  return answer.AutoScalingGroups?.[0]
}

export interface GroupSpec {
  project: string
  service: string
  version: string
  launchTemplate: { id: string; version: string }
  subnets: string[]
  /** absent for a service without a port: no balancer, so EC2 status checks decide health */
  targetGroupArn?: string
  min: number
  max: number
  desired: number
  /** seconds before a new instance's health counts: Docker install and image pull */
  gracePeriod: number
  /** the autoscale cooldown, seconds */
  cooldown?: number
}

function groupTags(spec: Pick<GroupSpec, 'project' | 'service' | 'version'>, name: string) {
  return stratoTags(spec.project, spec.service, 'group', spec.version).map((tag) => ({
    ...tag, ResourceId: name, ResourceType: 'auto-scaling-group', PropagateAtLaunch: tag.Key !== TAG.role,
  }))
}

export async function createGroup(clients: AwsClients, spec: GroupSpec): Promise<string> {
  const name = groupName(spec.project, spec.service)
  await clients.autoScaling.send(new CreateAutoScalingGroupCommand({
    AutoScalingGroupName: name,
    LaunchTemplate: { LaunchTemplateId: spec.launchTemplate.id, Version: spec.launchTemplate.version },
    MinSize: spec.min,
    MaxSize: spec.max,
    DesiredCapacity: spec.desired,
    VPCZoneIdentifier: spec.subnets.join(','),
    TargetGroupARNs: spec.targetGroupArn ? [spec.targetGroupArn] : undefined,
    HealthCheckType: spec.targetGroupArn ? 'ELB' : 'EC2',
    HealthCheckGracePeriod: spec.gracePeriod,
    DefaultCooldown: spec.cooldown,
    Tags: groupTags(spec, name),
  }))
  return name
}

/** Points the group at a template version and records the version it now runs. */
export async function setGroupTemplate(clients: AwsClients, name: string, spec: Pick<GroupSpec, 'project' | 'service' | 'version' | 'launchTemplate'>): Promise<void> {
  await clients.autoScaling.send(new UpdateAutoScalingGroupCommand({
    AutoScalingGroupName: name,
    LaunchTemplate: { LaunchTemplateId: spec.launchTemplate.id, Version: spec.launchTemplate.version },
  }))
  await clients.autoScaling.send(new CreateOrUpdateTagsCommand({ Tags: groupTags(spec, name) }))
}

export async function setGroupSize(clients: AwsClients, name: string, size: { min?: number; max?: number; desired?: number }): Promise<void> {
  if (size.min === undefined && size.max === undefined && size.desired !== undefined) {
    await clients.autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: size.desired, HonorCooldown: false }))
    return
  }
  await clients.autoScaling.send(new UpdateAutoScalingGroupCommand({
    AutoScalingGroupName: name, MinSize: size.min, MaxSize: size.max, DesiredCapacity: size.desired,
  }))
}

/** The group registers its instances with the target group, and new ones as they launch. */
export async function attachTargetGroup(clients: AwsClients, name: string, targetGroupArn: string): Promise<void> {
  await clients.autoScaling.send(new AttachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: name, TargetGroupARNs: [targetGroupArn] }))
}

/** The group deregisters its instances from the target group (they drain) and stops counting its health checks. */
export async function detachTargetGroup(clients: AwsClients, name: string, targetGroupArn: string): Promise<void> {
  await clients.autoScaling.send(new DetachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: name, TargetGroupARNs: [targetGroupArn] }))
}

export async function terminateInstances(clients: AwsClients, ids: string[]): Promise<void> {
  for (const id of ids) {
    try {
      await clients.autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: id, ShouldDecrementDesiredCapacity: true }))
    } catch (error) {
      // already gone, e.g. replaced by the group's own health check
      if (!isAwsError(error, 'ValidationError', 'ResourceNotFound')) throw error
    }
  }
}

/** Force-deletes the group (terminating its instances) and waits until AWS no longer lists it. */
export async function deleteGroup(clients: AwsClients, name: string, wait: (ms: number) => Promise<void>, timeoutMs: number): Promise<void> {
  try {
    await clients.autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true }))
  } catch (error) {
    if (!isAwsError(error, 'ValidationError')) throw error
  }
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!(await describeGroup(clients, name))) return
    await wait(5000)
  }
  throw new UserError(`Auto Scaling group ${name} was still being deleted after ${Math.round(timeoutMs / 1000)}s.`, { code: 'failure', fix: 'Run strato destroy again in a few minutes; AWS finishes terminating the instances on its own.' })
}

/** Counts of a group's instances, for status and for waits. */
export function groupCounts(group: AutoScalingGroup): { inService: number; healthy: number; total: number } {
  const instances = group.Instances ?? []
  return {
    total: instances.length,
    inService: instances.filter((instance) => instance.LifecycleState === 'InService').length,
    healthy: instances.filter((instance) => instance.LifecycleState === 'InService' && instance.HealthStatus === 'Healthy').length,
  }
}
