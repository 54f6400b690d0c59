/**
 * What moto does not emulate faithfully, on the wire: a local HTTP server
 * answers as AWS would when it throttles, denies or is not there, and the
 * provider must retry with backoff or turn the answer into the right error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { silentProgress } from '../../src/model.js'
import { AwsProvider } from '../../providers/aws/index.js'
import { AwsRequestError } from '../../providers/aws/errors.js'
import { freePort, useDummyAwsCredentials } from '../helpers/moto.js'

type Handler = (call: { action: string; body: string }, res: ServerResponse) => void
let server: Server
let port: number
let handler: Handler
let calls: string[] = []
let restoreEnv: () => void

const queryError = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'text/xml' })
  res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`)
}
const ec2Error = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'text/xml' })
  res.end(`<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>req-1</RequestID></Response>`)
}
const jsonError = (res: ServerResponse, status: number, type: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type })
  res.end(JSON.stringify({ __type: type, message }))
}

function actionOf(req: IncomingMessage, body: string): string {
  const target = req.headers['x-amz-target']
  if (typeof target === 'string') return target.split('.').at(-1)!
  return new URLSearchParams(body).get('Action') ?? 'unknown'
}

function manifest(endpoint: string): Manifest {
  return {
    name: 'shop',
    services: { users: { image: 'registry.example/users:1.0.0', port: 8080, health: '/healthz', replicas: 1 } },
    targets: { aws: { provider: 'aws', region: 'eu-west-1', instanceType: 't3.small', endpoint } },
  }
}

function provider(endpoint = `http://127.0.0.1:${port}`, maxAttempts = 4) {
  const m = manifest(endpoint)
  return new AwsProvider({ manifest: m, targetName: 'aws', target: m.targets!.aws, projectDir: process.cwd(), env: {}, progress: silentProgress, settings: { maxAttempts } })
}

beforeAll(async () => {
  restoreEnv = useDummyAwsCredentials()
  port = await freePort()
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => { body += chunk })
    req.on('end', () => {
      const action = actionOf(req, body)
      calls.push(action)
      handler({ action, body }, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
})

afterEach(() => {
  calls = []
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  restoreEnv()
})

describe('aws provider on the wire', () => {
  it('retries Cost Explorer throttling with backoff, then returns the results', async () => {
    let throttled = 0
    handler = (_call, res) => {
      if (throttled++ < 2) return jsonError(res, 400, 'ThrottlingException', 'Rate exceeded')
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
      res.end(JSON.stringify({ ResultsByTime: [{ TimePeriod: { Start: '2026-11-01', End: '2026-11-02' }, Groups: [
        { Keys: ['strato.service$users'], Metrics: { UnblendedCost: { Amount: '2.40', Unit: 'USD' } } },
      ] }] }))
    }
    const started = Date.now()
    const lines = await provider().costs({ start: '2026-11-01', end: '2026-11-02', granularity: 'daily' })
    expect(calls).toEqual(['GetCostAndUsage', 'GetCostAndUsage', 'GetCostAndUsage'])
    expect(Date.now() - started).toBeGreaterThan(50)
    expect(lines).toEqual([{ provider: 'aws', target: 'aws', service: 'users', date: '2026-11-01', amount: 2.4, currency: 'USD', source: 'aws cost explorer' }])
  })

  it('retries a transient server error', async () => {
    let failed = 0
    handler = (_call, res) => {
      if (failed++ < 1) return jsonError(res, 503, 'ServiceUnavailableException', 'Please try again')
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
      res.end(JSON.stringify({ ResultsByTime: [] }))
    }
    expect(await provider().costs({ start: '2026-11-01', end: '2026-11-02', granularity: 'daily' })).toEqual([])
    expect(calls).toEqual(['GetCostAndUsage', 'GetCostAndUsage'])
  })

  it('retries Auto Scaling throttling, and fails with a clear error when it never stops', async () => {
    let throttled = 0
    handler = ({ action }, res) => {
      if (throttled++ < 2) return queryError(res, 400, 'Throttling', 'Rate exceeded')
      res.writeHead(200, { 'content-type': 'text/xml' })
      res.end(`<${action}Response><${action}Result><AutoScalingGroups/></${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`)
    }
    const missing = await provider().scale('users', 2).catch((e: unknown) => e)
    expect(calls).toEqual(['DescribeAutoScalingGroups', 'DescribeAutoScalingGroups', 'DescribeAutoScalingGroups'])
    expect((missing as UserError).message).toBe('Service users is not deployed on target "aws".')
    expect((missing as UserError).exitCode).toBe(6)

    calls = []
    handler = (_call, res) => queryError(res, 400, 'Throttling', 'Rate exceeded')
    const error = await provider(undefined, 3).scale('users', 2).catch((e: unknown) => e)
    expect(calls).toHaveLength(3)
    expect(error).toBeInstanceOf(AwsRequestError)
    expect((error as AwsRequestError).message).toBe('AWS kept throttling autoscaling:DescribeAutoScalingGroups on target "aws" (eu-west-1) after every retry.')
    expect((error as AwsRequestError).exitCode).toBe(1)
  })

  it('turns access denied into exit 5 naming the action, before anything is created', async () => {
    handler = (_call, res) => ec2Error(res, 403, 'UnauthorizedOperation', 'You are not authorized to perform this operation.')
    const error = await provider().apply([{ kind: 'create', target: 'aws', service: 'users', from: 0, to: 1, toVersion: 'v1', reasons: [] }], silentProgress).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AwsRequestError)
    expect((error as AwsRequestError).exitCode).toBe(5)
    expect((error as AwsRequestError).action).toBe('ec2:DescribeInstanceTypes')
    expect((error as AwsRequestError).message).toBe('Permission denied: ec2:DescribeInstanceTypes on target "aws" (eu-west-1).')
    expect(calls).toEqual(['DescribeInstanceTypes'])
  })

  it('turns refused credentials into exit 5', async () => {
    handler = (_call, res) => queryError(res, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.')
    const error = await provider().scale('users', 1).catch((e: unknown) => e)
    expect((error as UserError).exitCode).toBe(5)
    expect((error as UserError).message).toContain('AWS refused the credentials')
  })

  it('says when no credentials are configured at all', async () => {
    handler = (_call, res) => queryError(res, 500, 'InternalFailure', 'should not be called')
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, token: process.env.AWS_SESSION_TOKEN, imds: process.env.AWS_EC2_METADATA_DISABLED }
    delete process.env.AWS_ACCESS_KEY_ID
    delete process.env.AWS_SECRET_ACCESS_KEY
    delete process.env.AWS_SESSION_TOKEN
    process.env.AWS_EC2_METADATA_DISABLED = 'true'
    try {
      const error = await provider().scale('users', 1).catch((e: unknown) => e)
      expect((error as UserError).exitCode).toBe(5)
      expect((error as UserError).message).toBe('No AWS credentials were found for target "aws" (eu-west-1).')
      expect((error as UserError).fix).toContain('AWS_PROFILE')
      expect(calls).toEqual([])
    } finally {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: saved.id, AWS_SECRET_ACCESS_KEY: saved.secret, AWS_SESSION_TOKEN: saved.token })
      if (saved.imds === undefined) delete process.env.AWS_EC2_METADATA_DISABLED
    }
  })

  it('turns an endpoint that is down into exit 4', async () => {
    const closed = await freePort()
    const error = await provider(`http://127.0.0.1:${closed}`, 1).inventory('shop').catch((e: unknown) => e)
    expect((error as UserError).exitCode).toBe(4)
    expect((error as UserError).message).toContain(`http://127.0.0.1:${closed}`)
  })
})
