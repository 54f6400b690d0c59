/**
 * A service's secrets live in SSM Parameter Store as SecureString parameters
 * under /strato/<project>/<NAME>. A parameter that already exists is used as
 * is; one that does not is created from the environment variable of the same
 * name (and tagged, so destroy removes what strato created). Values are never
 * logged or written into user data.
 */
import { DeleteParameterCommand, DescribeParametersCommand, GetParametersCommand, PutParameterCommand } from '@aws-sdk/client-ssm'
import { usageError } from '../../src/errors.js'
import { TAG } from './label-codec.js'
import { chunk } from './bounded.js'
import type { AwsClients } from './clients.js'
import { isAwsError } from './errors.js'
import { secretParameterName, stateTags } from './naming.js'

export async function ensureSecrets(clients: AwsClients, project: string, service: string, names: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const existing = new Set<string>()
  for (const batch of chunk(names.map((name) => secretParameterName(project, name)), 10)) {
    const answer = await clients.ssm.send(new GetParametersCommand({ Names: batch }))
    for (const parameter of answer.Parameters ?? []) if (parameter.Name) existing.add(parameter.Name)
  }
  const created: string[] = []
  for (const name of names) {
    const parameter = secretParameterName(project, name)
    if (existing.has(parameter)) continue
    const value = env[name]
    if (value === undefined || value === '') {
      throw usageError(`Secret ${name} of service ${service} has no value: SSM parameter ${parameter} does not exist and ${name} is not set.`,
        `Create the parameter (aws ssm put-parameter --type SecureString --name ${parameter} ...) or export ${name} when you run strato deploy.`)
    }
    await clients.ssm.send(new PutParameterCommand({
      Name: parameter, Type: 'SecureString', Value: value,
      Description: `strato secret ${name} of project ${project}`,
      Tags: stateTags({ project, role: 'secret' }),
    }))
    created.push(parameter)
  }
  return created
}

/** Removes the parameters strato created for the project (those it tagged); the user's own stay. */
export async function deleteCreatedSecrets(clients: AwsClients, project: string): Promise<void> {
  let token: string | undefined
  do {
    const answer = await clients.ssm.send(new DescribeParametersCommand({
      ParameterFilters: [{ Key: `tag:${TAG.project}`, Values: [project] }], NextToken: token,
    }))
    for (const parameter of answer.Parameters ?? []) {
      try {
        await clients.ssm.send(new DeleteParameterCommand({ Name: parameter.Name }))
      } catch (error) {
        if (!isAwsError(error, 'ParameterNotFound')) throw error
      }
    }
    token = answer.NextToken
  } while (token)
}
