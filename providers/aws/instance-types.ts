/**
 * Instance types are checked against EC2 before anything is created, so a
 * typo fails fast with a suggestion instead of half a deployment.
 */
import { DescribeInstanceTypesCommand, paginateDescribeInstanceTypeOfferings } from '@aws-sdk/client-ec2'
import { GetParameterCommand } from '@aws-sdk/client-ssm'
import { usageError } from '../../src/errors.js'
import { didYouMean } from '../../src/suggest.js'
import type { AwsClients } from './clients.js'
import { isAwsError } from './errors.js'

export interface InstanceTypeInfo { name: string; architecture: 'x86_64' | 'arm64' }

export async function checkInstanceType(clients: AwsClients, instanceType: string, where: string): Promise<InstanceTypeInfo> {
  try {
    const answer = await clients.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as never] }))
    const info = answer.InstanceTypes?.[0]
    if (info) {
      const architectures = info.ProcessorInfo?.SupportedArchitectures ?? []
      return { name: instanceType, architecture: architectures.includes('x86_64') ? 'x86_64' : 'arm64' }
    }
  } catch (error) {
    if (!isAwsError(error, 'InvalidInstanceType', 'InvalidParameterValue', 'ValidationException')) throw error
  }
  // Offerings list only names, up to 1000 a page: one or two calls for the suggestion.
  const known: string[] = []
  for await (const page of paginateDescribeInstanceTypeOfferings({ client: clients.ec2 }, { LocationType: 'region', MaxResults: 1000 })) {
    for (const offering of page.InstanceTypeOfferings ?? []) if (offering.InstanceType) known.push(offering.InstanceType)
  }
  throw usageError(`${where}: "${instanceType}" is not an EC2 instance type in this region${didYouMean(instanceType, known)}`, 'Use an instance type the region offers, e.g. t3.small (see `aws ec2 describe-instance-types`).')
}

/** The current Amazon Linux 2023 image for the architecture, from AWS's public SSM parameter. */
export async function defaultImageId(clients: AwsClients, architecture: InstanceTypeInfo['architecture'], targetName: string): Promise<string> {
  const name = `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`
  try {
    const answer = await clients.ssm.send(new GetParameterCommand({ Name: name }))
    if (answer.Parameter?.Value) return answer.Parameter.Value
  } catch (error) {
    if (!isAwsError(error, 'ParameterNotFound')) throw error
  }
  throw usageError(`No Amazon Linux image was found for ${architecture} in target "${targetName}".`, `Set targets.${targetName}.ami to an image id.`)
}
