/**
 * Where a service's resources go: the target's VPC and subnets, or the
 * account's default VPC and its default subnets. An Application Load Balancer
 * needs subnets in at least two Availability Zones.
 */
import { DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2'
import { usageError } from '../../src/errors.js'
import type { AwsTargetConfig } from '../../src/manifest/schema.js'
import type { AwsClients } from './clients.js'

export interface Network {
  vpcId: string
  subnets: string[]
  /** the subnets' ranges, where the internal balancer takes its addresses */
  subnetRanges: { id: string; cidr: string }[]
  /** the VPC's ranges: the only sources a private service's instances admit */
  vpcCidrs: string[]
}

/** Every IPv4 range associated with the VPC (a VPC may have several). */
async function vpcRanges(clients: AwsClients, vpcId: string): Promise<string[]> {
  const answer = await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))
  const vpc = answer.Vpcs?.[0]
  const associated = (vpc?.CidrBlockAssociationSet ?? []).filter((block) => block.CidrBlockState?.State === 'associated').map((block) => block.CidrBlock!)
  return [...new Set(associated.length ? associated : vpc?.CidrBlock ? [vpc.CidrBlock] : [])].sort()
}

export async function resolveNetwork(clients: AwsClients, target: AwsTargetConfig, targetName: string): Promise<Network> {
  if (target.subnets?.length) {
    const answer = await clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: target.subnets }))
    const subnets = answer.Subnets ?? []
    const vpcs = new Set(subnets.map((subnet) => subnet.VpcId))
    if (vpcs.size !== 1) throw usageError(`targets.${targetName}.subnets: the subnets must all be in one VPC, found ${vpcs.size}.`, 'List subnets of a single VPC.')
    const vpcId = [...vpcs][0]!
    if (target.vpc && target.vpc !== vpcId) throw usageError(`targets.${targetName}.subnets: the subnets are in ${vpcId}, not in targets.${targetName}.vpc (${target.vpc}).`, 'Make vpc and subnets agree, or leave vpc out.')
    assertTwoZones(subnets.map((subnet) => subnet.AvailabilityZone ?? ''), targetName)
    return {
      vpcId, subnets: subnets.map((subnet) => subnet.SubnetId!), vpcCidrs: await vpcRanges(clients, vpcId),
      subnetRanges: subnets.map((subnet) => ({ id: subnet.SubnetId!, cidr: subnet.CidrBlock! })),
    }
  }
  let vpcId = target.vpc
  if (!vpcId) {
    const vpcs = await clients.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))
    vpcId = vpcs.Vpcs?.[0]?.VpcId
    if (!vpcId) {
      throw usageError(`Target "${targetName}" names no VPC and the account has no default VPC in ${target.region}.`, `Set targets.${targetName}.vpc and targets.${targetName}.subnets.`)
    }
  }
  const answer = await clients.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))
  // one subnet per zone is enough for the group and the balancer; prefer the VPC's default ones
  const byZone = new Map<string, string>()
  const ranges = new Map((answer.Subnets ?? []).map((subnet) => [subnet.SubnetId!, subnet.CidrBlock!]))
  const sorted = [...(answer.Subnets ?? [])].sort((a, b) => Number(b.DefaultForAz ?? false) - Number(a.DefaultForAz ?? false) || (a.SubnetId ?? '').localeCompare(b.SubnetId ?? ''))
  for (const subnet of sorted) if (subnet.AvailabilityZone && !byZone.has(subnet.AvailabilityZone)) byZone.set(subnet.AvailabilityZone, subnet.SubnetId!)
  assertTwoZones([...byZone.keys()], targetName)
  const chosen = [...byZone.values()].sort()
  return { vpcId, subnets: chosen, subnetRanges: chosen.map((id) => ({ id, cidr: ranges.get(id)! })), vpcCidrs: await vpcRanges(clients, vpcId) }
}

function assertTwoZones(zones: string[], targetName: string): void {
  if (new Set(zones).size >= 2) return
  throw usageError(`Target "${targetName}" needs subnets in at least two Availability Zones for its load balancer; found ${new Set(zones).size}.`, `List subnets from two or more zones in targets.${targetName}.subnets.`)
}
