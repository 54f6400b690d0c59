/**
 * Security groups: one for the target's shared load balancer (HTTP from
 * anywhere) and one per service for its instances: a public service's admits
 * its port only from the load balancer's group, so instances are never
 * reachable directly; a private service's only from the VPC's ranges; a
 * service without a port admits nothing.
 */
import {
  AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, DeleteSecurityGroupCommand, RevokeSecurityGroupIngressCommand,
  paginateDescribeSecurityGroups, type IpPermission, type SecurityGroup,
} from '@aws-sdk/client-ec2'
import type { AwsClients } from './clients.js'
import { isAwsError } from './errors.js'
import { projectFilter, securityGroupName, stratoTags, tagMap, type Role } from './naming.js'
import { TAG } from './label-codec.js'

export const LISTENER_PORT = 80

/**
 * A private service's instances: its port from the VPC's own ranges only (the
 * internal balancer keeps the callers' addresses, and its health checks come
 * from its addresses in the VPC). Pure.
 */
export function privateIngress(servicePort: number, vpcCidrs: string[]): IpPermission[] {
  return [{ IpProtocol: 'tcp', FromPort: servicePort, ToPort: servicePort, IpRanges: vpcCidrs.map((CidrIp) => ({ CidrIp, Description: 'service port from inside the VPC only' })) }]
}

/** The ingress rules each side should have; pure, so tests compare them exactly. */
export function desiredIngress(side: 'lb' | 'app', servicePort: number, lbGroupId?: string): IpPermission[] {
  if (side === 'lb') {
    return [{ IpProtocol: 'tcp', FromPort: LISTENER_PORT, ToPort: LISTENER_PORT, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'HTTP to the load balancer' }] }]
  }
  return [{ IpProtocol: 'tcp', FromPort: servicePort, ToPort: servicePort, UserIdGroupPairs: [{ GroupId: lbGroupId, Description: 'service port from the load balancer only' }] }]
}

export async function listSecurityGroups(clients: AwsClients, project: string): Promise<SecurityGroup[]> {
  const groups: SecurityGroup[] = []
  for await (const page of paginateDescribeSecurityGroups({ client: clients.ec2 }, { Filters: [projectFilter(project)], MaxResults: 1000 })) {
    groups.push(...(page.SecurityGroups ?? []))
  }
  return groups
}

/** Finds the group by its tags or creates it, then adds any missing ingress rule. The shared balancer's group has no service. */
export async function ensureSecurityGroup(
  clients: AwsClients,
  input: { project: string; service?: string; side: 'lb' | 'app'; vpcId: string; ingress: IpPermission[]; existing: SecurityGroup[] },
): Promise<string> {
  const role: Role = input.side === 'lb' ? 'lb-security-group' : 'app-security-group'
  const found = input.existing.find((group) => {
    const tags = tagMap(group.Tags)
    return tags[TAG.service] === input.service && tags[TAG.role] === role && group.VpcId === input.vpcId
  })
  let groupId = found?.GroupId
  if (!groupId) {
    const created = await clients.ec2.send(new CreateSecurityGroupCommand({
      GroupName: securityGroupName(input.project, input.service, input.side),
      Description: input.side === 'lb' ? `strato ${input.project} load balancer` : `strato ${input.project}/${input.service} instances`,
      VpcId: input.vpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: stratoTags(input.project, input.service, role) }],
    }))
    groupId = created.GroupId!
  }
  const missing = input.ingress.filter((rule) => !hasRule(found?.IpPermissions ?? [], rule))
  if (missing.length > 0) {
    try {
      await clients.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: missing }))
    } catch (error) {
      if (!isAwsError(error, 'InvalidPermission.Duplicate')) throw error
    }
  }
  return groupId
}

/** Drops the rules that admit traffic from `sourceGroupId` (a balancer's group that is going away). */
export async function revokeIngressFrom(clients: AwsClients, group: SecurityGroup, sourceGroupId: string): Promise<void> {
  // the pair as described (with its description): AWS matches on the group alone, emulators on all of it
  const rules = (group.IpPermissions ?? []).filter((rule) => rule.UserIdGroupPairs?.some((pair) => pair.GroupId === sourceGroupId))
    .map((rule) => ({ IpProtocol: rule.IpProtocol, FromPort: rule.FromPort, ToPort: rule.ToPort,
      UserIdGroupPairs: rule.UserIdGroupPairs!.filter((pair) => pair.GroupId === sourceGroupId).map((pair) => ({ GroupId: pair.GroupId, Description: pair.Description })) }))
  if (rules.length === 0) return
  try {
    await clients.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: group.GroupId, IpPermissions: rules }))
  } catch (error) {
    if (!isAwsError(error, 'InvalidPermission.NotFound', 'InvalidGroup.NotFound')) throw error
  }
}

/** Drops the rules that admit address ranges (a private service's VPC ranges, once it is public). */
export async function revokeRangeIngress(clients: AwsClients, group: SecurityGroup): Promise<void> {
  const rules = (group.IpPermissions ?? []).filter((rule) => rule.IpRanges?.length)
    .map((rule) => ({ IpProtocol: rule.IpProtocol, FromPort: rule.FromPort, ToPort: rule.ToPort, IpRanges: rule.IpRanges }))
  if (rules.length === 0) return
  try {
    await clients.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: group.GroupId, IpPermissions: rules }))
  } catch (error) {
    if (!isAwsError(error, 'InvalidPermission.NotFound', 'InvalidGroup.NotFound')) throw error
  }
}

function hasRule(existing: IpPermission[], rule: IpPermission): boolean {
  return existing.some((have) =>
    have.IpProtocol === rule.IpProtocol && have.FromPort === rule.FromPort && have.ToPort === rule.ToPort &&
    (rule.IpRanges ?? []).every((range) => have.IpRanges?.some((h) => h.CidrIp === range.CidrIp)) &&
    (rule.UserIdGroupPairs ?? []).every((pair) => have.UserIdGroupPairs?.some((h) => h.GroupId === pair.GroupId)))
}

/**
 * Deletes a group; network interfaces of a just-deleted load balancer or
 * instance release the group a little later, so DependencyViolation is retried.
 */
export async function deleteSecurityGroup(clients: AwsClients, groupId: string, wait: (ms: number) => Promise<void>, attempts = 30): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }))
      return
    } catch (error) {
      if (isAwsError(error, 'InvalidGroup.NotFound')) return
      if (!isAwsError(error, 'DependencyViolation') || attempt >= attempts) throw error
      await wait(Math.min(10_000, 1000 * attempt))
    }
  }
}
