/**
 * What the live checks read on an aws target: security group ingress, volume
 * encryption, launch template metadata options, instances' public IPs and
 * IMDS settings, each with its tags (so rules can spot missing ones).
 */
import { paginateDescribeVolumes, type Instance, type LaunchTemplate, type ResponseLaunchTemplateData, type SecurityGroup, type Volume } from '@aws-sdk/client-ec2'
import type { AwsInstanceFact, AwsLaunchTemplateFact, AwsSecurityGroupFact, AwsVolumeFact } from '../../src/checks/facts.js'
import type { Fact } from '../../src/model.js'
import { mapBounded } from '../bounded.js'
import type { AwsClients } from './clients.js'
import { listInstances } from './instances.js'
import { launchTemplateVersion, listLaunchTemplates, ROOT_DEVICE } from './launch-template.js'
import { projectFilter, tagMap } from './naming.js'
import { listSecurityGroups } from './security-group.js'

export function securityGroupFact(group: SecurityGroup, target: string): Fact {
  const data: AwsSecurityGroupFact = {
    groupId: group.GroupId!,
    name: group.GroupName ?? '',
    ingress: (group.IpPermissions ?? []).map((rule) => ({
      protocol: rule.IpProtocol ?? '-1',
      fromPort: rule.FromPort ?? 0,
      toPort: rule.ToPort ?? 65535,
      cidrs: (rule.IpRanges ?? []).map((range) => range.CidrIp!).filter(Boolean),
      ipv6Cidrs: (rule.Ipv6Ranges ?? []).map((range) => range.CidrIpv6!).filter(Boolean),
    })),
    tags: tagMap(group.Tags),
  }
  return { kind: 'aws.securityGroup', resource: data.groupId, target, data: { ...data } }
}

export function volumeFact(volume: Volume, target: string): Fact {
  const data: AwsVolumeFact = { volumeId: volume.VolumeId!, encrypted: volume.Encrypted === true, tags: tagMap(volume.Tags) }
  return { kind: 'aws.volume', resource: data.volumeId, target, data: { ...data } }
}

export function launchTemplateFact(template: LaunchTemplate, version: ResponseLaunchTemplateData | undefined, target: string): Fact {
  const root = version?.BlockDeviceMappings?.find((mapping) => mapping.DeviceName === ROOT_DEVICE) ?? version?.BlockDeviceMappings?.[0]
  const data: AwsLaunchTemplateFact = {
    id: template.LaunchTemplateId!,
    name: template.LaunchTemplateName ?? '',
    httpTokens: version?.MetadataOptions?.HttpTokens === 'required' ? 'required' : 'optional',
    httpEndpoint: version?.MetadataOptions?.HttpEndpoint ?? 'enabled',
    associatePublicIp: version?.NetworkInterfaces?.[0]?.AssociatePublicIpAddress === true,
    rootVolumeEncrypted: root?.Ebs?.Encrypted === true,
    tags: tagMap(template.Tags),
  }
  return { kind: 'aws.launchTemplate', resource: data.id, target, data: { ...data } }
}

export function instanceFact(instance: Instance, target: string): Fact {
  const data: AwsInstanceFact = {
    instanceId: instance.InstanceId!,
    ...(instance.PublicIpAddress ? { publicIp: instance.PublicIpAddress } : {}),
    httpTokens: instance.MetadataOptions?.HttpTokens === 'required' ? 'required' : 'optional',
    tags: tagMap(instance.Tags),
  }
  return { kind: 'aws.instance', resource: data.instanceId, target, data: { ...data } }
}

export async function collectFacts(clients: AwsClients, project: string, target: string): Promise<Fact[]> {
  const [groups, instances, templates] = await Promise.all([
    listSecurityGroups(clients, project), listInstances(clients, project), listLaunchTemplates(clients, project),
  ])
  // Volumes are found by their own tags and by the instances they are attached to,
  // so an untagged volume on a project instance still shows (and fails the tag rule).
  const volumes = new Map<string, Volume>()
  for await (const page of paginateDescribeVolumes({ client: clients.ec2 }, { Filters: [projectFilter(project)], MaxResults: 500 })) {
    for (const volume of page.Volumes ?? []) volumes.set(volume.VolumeId!, volume)
  }
  const instanceIds = instances.map((instance) => instance.InstanceId!)
  for (let i = 0; i < instanceIds.length; i += 200) {
    const filter = { Name: 'attachment.instance-id', Values: instanceIds.slice(i, i + 200) }
    for await (const page of paginateDescribeVolumes({ client: clients.ec2 }, { Filters: [filter], MaxResults: 500 })) {
      for (const volume of page.Volumes ?? []) volumes.set(volume.VolumeId!, volume)
    }
  }
  const versions = await mapBounded(templates, 8, (template) => launchTemplateVersion(clients, template.LaunchTemplateId!))
  return [
    ...groups.map((group) => securityGroupFact(group, target)),
    ...[...volumes.values()].map((volume) => volumeFact(volume, target)),
    ...templates.map((template, index) => launchTemplateFact(template, versions[index], target)),
    ...instances.map((instance) => instanceFact(instance, target)),
  ]
}
