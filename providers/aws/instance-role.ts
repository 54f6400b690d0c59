/**
 * The instance profile a project's instances run with, created only when they
 * need one: to read the project's secrets from SSM Parameter Store, or to
 * pull from ECR. Its policy allows exactly that and nothing else.
 */
import {
  AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, DeleteInstanceProfileCommand,
  DeleteRoleCommand, DeleteRolePolicyCommand, GetInstanceProfileCommand, PutRolePolicyCommand, RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam'
import { createHash } from 'node:crypto'
import { stateTags } from './naming.js'
import type { AwsClients } from './clients.js'
import { isAwsError } from './errors.js'

const POLICY_NAME = 'strato-instance'

/** IAM role and profile names allow 64 characters. */
export function instanceRoleName(project: string): string {
  const name = `strato-${project}-instance`
  if (name.length <= 64) return name
  return `strato-${project.slice(0, 39)}-${createHash('sha256').update(project).digest('hex').slice(0, 8)}-instance`
}

/** What the instances may do: read /strato/<project>/* (SecureStrings decrypt through SSM's key) and pull from ECR. */
export function instancePolicy(project: string, region: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: `arn:aws:ssm:${region}:*:parameter/strato/${project}/*` },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': `ssm.${region}.amazonaws.com` } } },
      { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: '*' },
    ],
  }
}

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] })

/** The profile's ARN, creating the role and profile the first time. */
export async function ensureInstanceProfile(clients: AwsClients, project: string, region: string): Promise<string> {
  const name = instanceRoleName(project)
  try {
    const found = await clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))
    if (found.InstanceProfile?.Roles?.length) return found.InstanceProfile.Arn!
  } catch (error) {
    if (!isAwsError(error, 'NoSuchEntityException', 'NoSuchEntity')) throw error
  }
  const tags = stateTags({ project, role: 'instance-role' })
  try {
    await clients.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST, Description: `strato ${project} instances`, Tags: tags }))
  } catch (error) {
    if (!isAwsError(error, 'EntityAlreadyExistsException', 'EntityAlreadyExists')) throw error
  }
  await clients.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: POLICY_NAME, PolicyDocument: JSON.stringify(instancePolicy(project, region)) }))
  let arn: string
  try {
    arn = (await clients.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name, Tags: tags }))).InstanceProfile!.Arn!
  } catch (error) {
    if (!isAwsError(error, 'EntityAlreadyExistsException', 'EntityAlreadyExists')) throw error
    arn = (await clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))).InstanceProfile!.Arn!
  }
  await clients.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }))
  return arn
}

export async function deleteInstanceProfile(clients: AwsClients, project: string): Promise<void> {
  const name = instanceRoleName(project)
  const ignoreMissing = async (call: () => Promise<unknown>) => {
    try {
      await call()
    } catch (error) {
      if (!isAwsError(error, 'NoSuchEntityException', 'NoSuchEntity')) throw error
    }
  }
  await ignoreMissing(() => clients.iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: name, RoleName: name })))
  await ignoreMissing(() => clients.iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: name })))
  await ignoreMissing(() => clients.iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: POLICY_NAME })))
  await ignoreMissing(() => clients.iam.send(new DeleteRoleCommand({ RoleName: name })))
}
