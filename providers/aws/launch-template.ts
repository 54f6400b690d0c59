/**
 * The launch template of a service: instance type from the manifest, IMDSv2
 * required, an encrypted root volume, a public IP only where there is no NAT
 * (see TemplateInput.publicIp), and user data that
 * installs Docker and runs the service's image. Secret values never appear
 * in user data: the instance reads them from SSM Parameter Store at boot.
 */
import { createHash } from 'node:crypto'
import {
  CreateLaunchTemplateCommand, DeleteLaunchTemplateCommand,
  DescribeLaunchTemplateVersionsCommand, paginateDescribeLaunchTemplates,
  type LaunchTemplate, type RequestLaunchTemplateData, type ResponseLaunchTemplateData,
} from '@aws-sdk/client-ec2'
import type { Service } from '../../src/manifest/schema.js'
import { shellQuote, shellWord } from '../../src/shell-quote.js'
import { TAG } from './label-codec.js'
import type { AwsClients } from './clients.js'
import { isAwsError } from './errors.js'
import { groupName, projectFilter, secretParameterName, stratoTags } from './naming.js'

export const ROOT_DEVICE = '/dev/xvda'

export interface UserDataInput {
  project: string
  service: string
  image: string
  spec: Service
  /** the project's private services on this target and the internal balancer's address: `--add-host` for each */
  hosts?: { name: string; address: string }[]
}

export function isEcrImage(image: string): boolean {
  return /^\d+\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(image)
}

/** The boot script, as text (the template carries it base64-encoded). */
export function renderUserData(input: UserDataInput): string {
  const { project, service, image, spec } = input
  const port = spec.port
  const envFile = '/etc/strato/service.env'
  const lines = [
    '#!/bin/bash',
    '# Written by strato: installs Docker and runs one service. Secrets are read from SSM at boot.',
    'set -euo pipefail',
    'if command -v dnf >/dev/null 2>&1; then dnf install -y docker awscli; else apt-get update -q && apt-get install -y -q docker.io awscli curl; fi',
    'systemctl enable --now docker',
    'TOKEN=$(curl -sS -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
    'REGION=$(curl -sS -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/placement/region)',
    `install -d -m 700 /etc/strato && install -m 600 /dev/null ${envFile}`,
  ]
  for (const [name, value] of Object.entries(spec.env ?? {})) {
    lines.push(`printf '%s=%s\\n' ${shellQuote(name)} ${shellQuote(String(value))} >> ${envFile}`)
  }
  for (const name of spec.secrets ?? []) {
    const parameter = secretParameterName(project, name)
    lines.push(`printf '%s=%s\\n' ${shellQuote(name)} "$(aws ssm get-parameter --region "$REGION" --with-decryption --name ${shellQuote(parameter)} --query Parameter.Value --output text)" >> ${envFile}`)
  }
  if (isEcrImage(image)) {
    lines.push(`aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin ${shellQuote(image.split('/')[0])}`)
  }
  const run = ['docker', 'run', '--detach', '--restart', 'unless-stopped', '--name', service, '--env-file', envFile]
  if (port !== undefined) run.push('--publish', `${port}:${port}`)
  // no DNS zone: the private services' names resolve to the internal balancer inside the container
  for (const host of input.hosts ?? []) run.push('--add-host', `${host.name}:${host.address}`)
  run.push('--label', `${TAG.project}=${project}`, '--label', `${TAG.service}=${service}`, image, ...(spec.command ?? []))
  lines.push(run.map(shellWord).join(' '))
  return `${lines.join('\n')}\n`
}

export interface TemplateInput extends UserDataInput {
  version: string
  instanceType: string
  imageId: string
  appSecurityGroupId: string
  /**
   * Instances in private subnets reach the internet through NAT; in a default
   * VPC (public subnets only) they need a public IP to install Docker and pull
   * the image. The security group admits only the load balancer either way.
   */
  publicIp: boolean
  /** present when the instances read secrets or pull from ECR */
  instanceProfileArn?: string
}

/** The launch template data: pure, so its security settings are asserted exactly in unit tests. */
export function launchTemplateData(input: TemplateInput): RequestLaunchTemplateData {
  const tags = stratoTags(input.project, input.service, 'group', input.version)
  return {
    ImageId: input.imageId,
    InstanceType: input.instanceType as RequestLaunchTemplateData['InstanceType'],
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 2 },
    BlockDeviceMappings: [{ DeviceName: ROOT_DEVICE, Ebs: { Encrypted: true, VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true } }],
    NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: input.publicIp, Groups: [input.appSecurityGroupId], DeleteOnTermination: true }],
    UserData: Buffer.from(renderUserData(input)).toString('base64'),
    ...(input.instanceProfileArn ? { IamInstanceProfile: { Arn: input.instanceProfileArn } } : {}),
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
  }
}

export async function listLaunchTemplates(clients: AwsClients, project: string): Promise<LaunchTemplate[]> {
  const templates: LaunchTemplate[] = []
  for await (const page of paginateDescribeLaunchTemplates({ client: clients.ec2 }, { Filters: [projectFilter(project)], MaxResults: 200 })) {
    templates.push(...(page.LaunchTemplates ?? []))
  }
  return templates
}

/**
 * Each version of a service gets its own template, named after it: a rollback
 * points back at the old one. The private services its containers reach are
 * in the name too (a short hash), so a private service added or removed
 * gives the other services new templates, and plan sees which are out of date.
 */
export function templateName(project: string, service: string, version: string, hosts: { name: string; address: string }[] = []): string {
  return `${groupName(project, service)}-${version}${hostsSuffix(hosts)}`
}

export function hostsSuffix(hosts: { name: string; address: string }[]): string {
  if (hosts.length === 0) return ''
  return `-h${createHash('sha256').update(hosts.map((host) => `${host.name}:${host.address}`).join(' ')).digest('hex').slice(0, 6)}`
}

/** The version a template's name carries (templateName's inverse), given its group's name. */
export function templateVersion(group: string, name: string | undefined): string | undefined {
  const prefix = `${group}-`
  return name?.startsWith(prefix) ? name.slice(prefix.length).replace(/-h[0-9a-f]{6}$/, '') : undefined
}

/** Creates the template for this version (or finds it, when an earlier run created it); returns its id and version number. */
export async function putLaunchTemplate(clients: AwsClients, input: TemplateInput, existing: LaunchTemplate[]): Promise<{ id: string; version: string }> {
  const name = templateName(input.project, input.service, input.version, input.hosts)
  const found = existing.find((template) => template.LaunchTemplateName === name)
  if (found) return { id: found.LaunchTemplateId!, version: String(found.LatestVersionNumber ?? 1) }
  const created = await clients.ec2.send(new CreateLaunchTemplateCommand({
    LaunchTemplateName: name,
    VersionDescription: input.version,
    LaunchTemplateData: launchTemplateData(input),
    TagSpecifications: [{ ResourceType: 'launch-template', Tags: stratoTags(input.project, input.service, 'launch-template', input.version) }],
  }))
  return { id: created.LaunchTemplate!.LaunchTemplateId!, version: String(created.LaunchTemplate!.LatestVersionNumber ?? 1) }
}

/** The data of one version ('$Latest' by default), for facts and rollbacks. */
export async function launchTemplateVersion(clients: AwsClients, id: string, version = '$Latest'): Promise<ResponseLaunchTemplateData | undefined> {
  const answer = await clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: [version] }))
  return answer.LaunchTemplateVersions?.[0]?.LaunchTemplateData
}

export async function deleteLaunchTemplate(clients: AwsClients, id: string): Promise<void> {
  try {
    await clients.ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: id }))
  } catch (error) {
    if (!isAwsError(error, 'InvalidLaunchTemplateId.NotFound', 'InvalidLaunchTemplateName.NotFoundException')) throw error
  }
}
