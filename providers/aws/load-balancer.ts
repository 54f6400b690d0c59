/**
 * The Application Load Balancer in front of a service: the balancer, one
 * target group whose health check is the service's health path, and an HTTP
 * listener forwarding to it. ELBv2 cannot filter by tag, so the project's
 * balancers are found by describing all and reading tags 20 ARNs at a time.
 */
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DeleteListenerCommand,
  DeleteLoadBalancerCommand, DeleteTargetGroupCommand, DescribeListenersCommand, DescribeLoadBalancersCommand,
  DescribeTagsCommand, DescribeTargetHealthCommand, ModifyTargetGroupCommand, paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups, type LoadBalancer, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { TAG } from './label-codec.js'
import { chunk, mapBounded } from './bounded.js'
import type { AwsClients } from './clients.js'
import { isAwsError } from './errors.js'
import { shortName, stratoTags } from './naming.js'
import { LISTENER_PORT } from './security-group.js'

export interface Tagged<T> { item: T; tags: Record<string, string> }

async function tagsByArn(clients: AwsClients, arns: string[]): Promise<Map<string, Record<string, string>>> {
  const result = new Map<string, Record<string, string>>()
  await mapBounded(chunk(arns, 20), 4, async (batch) => {
    const answer = await clients.elb.send(new DescribeTagsCommand({ ResourceArns: batch }))
    for (const description of answer.TagDescriptions ?? []) {
      const tags: Record<string, string> = {}
      for (const tag of description.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? ''
      result.set(description.ResourceArn!, tags)
    }
  })
  return result
}

export async function listLoadBalancers(clients: AwsClients, project: string): Promise<Tagged<LoadBalancer>[]> {
  const all: LoadBalancer[] = []
  for await (const page of paginateDescribeLoadBalancers({ client: clients.elb }, { PageSize: 400 })) all.push(...(page.LoadBalancers ?? []))
  const tags = await tagsByArn(clients, all.map((lb) => lb.LoadBalancerArn!))
  return all.map((item) => ({ item, tags: tags.get(item.LoadBalancerArn!) ?? {} })).filter((lb) => lb.tags[TAG.project] === project)
}

export async function listTargetGroups(clients: AwsClients, project: string): Promise<Tagged<TargetGroup>[]> {
  const all: TargetGroup[] = []
  for await (const page of paginateDescribeTargetGroups({ client: clients.elb }, { PageSize: 400 })) all.push(...(page.TargetGroups ?? []))
  const tags = await tagsByArn(clients, all.map((group) => group.TargetGroupArn!))
  return all.map((item) => ({ item, tags: tags.get(item.TargetGroupArn!) ?? {} })).filter((group) => group.tags[TAG.project] === project)
}

export interface TargetGroupSpec { project: string; service: string; port: number; healthPath: string; vpcId: string }

/** Finds the service's target group by tags or creates it; keeps the health path in line with the manifest. */
export async function ensureTargetGroup(clients: AwsClients, spec: TargetGroupSpec, existing: Tagged<TargetGroup>[]): Promise<string> {
  const found = existing.find((group) => group.tags[TAG.service] === spec.service)
  if (found) {
    if (found.item.HealthCheckPath !== spec.healthPath) {
      await clients.elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: found.item.TargetGroupArn, HealthCheckPath: spec.healthPath }))
    }
    return found.item.TargetGroupArn!
  }
  const created = await clients.elb.send(new CreateTargetGroupCommand({
    Name: shortName(spec.project, spec.service),
    Protocol: 'HTTP',
    Port: spec.port,
    VpcId: spec.vpcId,
    TargetType: 'instance',
    HealthCheckProtocol: 'HTTP',
    HealthCheckPath: spec.healthPath,
    HealthCheckIntervalSeconds: 15,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 3,
    Matcher: { HttpCode: '200-399' },
    Tags: stratoTags(spec.project, spec.service, 'target-group'),
  }))
  return created.TargetGroups![0].TargetGroupArn!
}

export interface LoadBalancerSpec { project: string; service: string; subnets: string[]; securityGroupId: string; targetGroupArn: string }

/** Finds or creates the balancer and its HTTP listener; returns its ARN and DNS name. */
export async function ensureLoadBalancer(clients: AwsClients, spec: LoadBalancerSpec, existing: Tagged<LoadBalancer>[]): Promise<{ arn: string; dnsName: string }> {
  let balancer = existing.find((lb) => lb.tags[TAG.service] === spec.service)?.item
  if (!balancer) {
    const created = await clients.elb.send(new CreateLoadBalancerCommand({
      Name: shortName(spec.project, spec.service),
      Type: 'application',
      Scheme: 'internet-facing',
      Subnets: spec.subnets,
      SecurityGroups: [spec.securityGroupId],
      Tags: stratoTags(spec.project, spec.service, 'load-balancer'),
    }))
    balancer = created.LoadBalancers![0]
  }
  const arn = balancer.LoadBalancerArn!
  const listeners = await clients.elb.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))
  if (!listeners.Listeners?.some((listener) => listener.Port === LISTENER_PORT)) {
    await clients.elb.send(new CreateListenerCommand({
      LoadBalancerArn: arn,
      Protocol: 'HTTP',
      Port: LISTENER_PORT,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: spec.targetGroupArn }],
      Tags: stratoTags(spec.project, spec.service, 'load-balancer'),
    }))
  }
  return { arn, dnsName: balancer.DNSName ?? '' }
}

/** Health of every registered target, by instance id. */
export async function targetHealth(clients: AwsClients, targetGroupArn: string): Promise<Map<string, string>> {
  const answer = await clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))
  const health = new Map<string, string>()
  for (const description of answer.TargetHealthDescriptions ?? []) {
    if (description.Target?.Id) health.set(description.Target.Id, description.TargetHealth?.State ?? 'unknown')
  }
  return health
}

/** Listeners first, then the balancer (waiting until it is gone), then the target group. */
export async function deleteLoadBalancer(clients: AwsClients, arn: string, wait: (ms: number) => Promise<void>): Promise<void> {
  try {
    const listeners = await clients.elb.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))
    for (const listener of listeners.Listeners ?? []) await clients.elb.send(new DeleteListenerCommand({ ListenerArn: listener.ListenerArn }))
    await clients.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }))
  } catch (error) {
    if (isAwsError(error, 'LoadBalancerNotFoundException', 'LoadBalancerNotFound')) return
    throw error
  }
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      await clients.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }))
    } catch (error) {
      if (isAwsError(error, 'LoadBalancerNotFoundException', 'LoadBalancerNotFound')) return
      throw error
    }
    await wait(2000)
  }
}

/** A target group stays "in use" for a moment after its balancer goes; retry that. */
export async function deleteTargetGroup(clients: AwsClients, arn: string, wait: (ms: number) => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await clients.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }))
      return
    } catch (error) {
      if (isAwsError(error, 'TargetGroupNotFoundException', 'TargetGroupNotFound')) return
      if (!isAwsError(error, 'ResourceInUseException', 'ResourceInUse') || attempt >= 30) throw error
      await wait(2000)
    }
  }
}
