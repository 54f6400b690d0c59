import { describe, expect, it } from 'vitest'
import { AwsRequestError, translateAwsError } from '../../providers/aws/errors.js'
import { clientConfig } from '../../providers/aws/clients.js'
import { UserError } from '../../src/errors.js'

const scope = { service: 'ec2', targetName: 'aws', region: 'eu-west-1' }
const serviceError = (name: string, status = 400) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } })

describe('aws error translation', () => {
  it('names the denied action', () => {
    const error = translateAwsError(serviceError('UnauthorizedOperation', 403), 'RunInstances', scope) as AwsRequestError
    expect(error).toBeInstanceOf(AwsRequestError)
    expect(error.exitCode).toBe(5)
    expect(error.action).toBe('ec2:RunInstances')
    expect(error.message).toBe('Permission denied: ec2:RunInstances on target "aws" (eu-west-1).')
    expect(error.fix).toContain('Grant ec2:RunInstances')
  })

  it('maps credential problems to denied', () => {
    for (const name of ['InvalidClientTokenId', 'ExpiredToken', 'AuthFailure', 'CredentialsProviderError']) {
      expect((translateAwsError(serviceError(name), 'DescribeInstances', scope) as UserError).exitCode).toBe(5)
    }
    const missing = translateAwsError(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }), 'DescribeInstances', scope) as UserError
    expect(missing.message).toBe('No AWS credentials were found for target "aws" (eu-west-1).')
  })

  it('maps an endpoint that does not answer to unreachable', () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    const error = translateAwsError(down, 'DescribeInstances', { ...scope, endpoint: 'http://127.0.0.1:1' }) as UserError
    expect(error.exitCode).toBe(4)
    expect(error.message).toContain('http://127.0.0.1:1')
    expect(error.fix).toContain('targets.aws.endpoint')
  })

  it('keeps the AWS code for call sites and fails other refusals with exit 1', () => {
    const error = translateAwsError(serviceError('InvalidGroup.NotFound'), 'DeleteSecurityGroup', scope) as AwsRequestError
    expect(error.awsCode).toBe('InvalidGroup.NotFound')
    expect(error.exitCode).toBe(1)
  })

  it('says throttling persisted after the retries', () => {
    const error = translateAwsError(serviceError('Throttling'), 'DescribeAutoScalingGroups', { ...scope, service: 'autoscaling' }) as UserError
    expect(error.message).toContain('kept throttling autoscaling:DescribeAutoScalingGroups')
  })

  it('leaves bugs alone', () => {
    const bug = new TypeError('x is undefined')
    expect(translateAwsError(bug, 'DescribeInstances', scope)).toBe(bug)
  })
})

describe('aws client settings', () => {
  it('uses the standard chain, the target profile and endpoint, and adaptive retries', () => {
    expect(clientConfig({ target: { provider: 'aws', region: 'eu-west-1', profile: 'ops', endpoint: 'http://127.0.0.1:5000' }, targetName: 'aws' })).toEqual({
      region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000', profile: 'ops', maxAttempts: 6, retryMode: 'adaptive',
    })
    expect(clientConfig({ target: { provider: 'aws', region: 'us-east-1' }, targetName: 'aws', maxAttempts: 2 })).toEqual({ region: 'us-east-1', maxAttempts: 2, retryMode: 'adaptive' })
  })
})
