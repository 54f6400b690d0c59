/** The gcp provider's edge, pure parts: error kinds, retry delays, client options, credentials' source, pruned protos, group state. */
import { OAuth2Client } from 'google-auth-library'
import { describe, expect, it } from 'vitest'
import { backoffMs } from '../../providers/gcp/api.js'
import { describeSource, GOOGLE_TOKEN_URL, redirectTokenRequests } from '../../providers/gcp/auth.js'
import { clientOptions, endpointOverride } from '../../providers/gcp/compute-clients.js'
import { pruneComputeProtos } from '../../providers/gcp/compute-protos.js'
import { classify, translateGcpError } from '../../providers/gcp/errors.js'
import { readGroup, readMembers, rolloutDone } from '../../providers/gcp/group-state.js'
import { allPermissions, CALLS } from '../../providers/gcp/permissions.js'

const scope = { targetName: 'gcp', project: 'acme-prod' }

describe('gcp errors', () => {
  it('classifies by gRPC code, HTTP status, OAuth error and socket code, never by text', () => {
    expect(classify({ code: 5, httpStatusCode: 404, message: 'anything' })).toBe('notFound')
    expect(classify({ code: 10, httpStatusCode: 409 })).toBe('alreadyExists')
    expect(classify({ code: 9, httpStatusCode: 412 })).toBe('precondition')
    expect(classify({ code: 8, httpStatusCode: 429 })).toBe('throttled')
    expect(classify({ code: 14, httpStatusCode: 503 })).toBe('unavailable')
    expect(classify({ code: 7, httpStatusCode: 403 })).toBe('permission')
    expect(classify({ code: 3, httpStatusCode: 400, cause: { response: { data: { error: 'invalid_grant' } } } })).toBe('unauthenticated')
    expect(classify({ code: 14, cause: { code: 'ECONNREFUSED' } })).toBe('unreachable')
    expect(classify({ response: { status: 404, data: { error: { code: 404 } } } })).toBe('notFound')
    expect(classify({ status: 503 })).toBe('unavailable')
    expect(classify(new Error('Permission denied'))).toBe('unknown')
  })

  it('names the permission and the exit code', () => {
    const denied = translateGcpError({ code: 7, httpStatusCode: 403, message: 'Required ... permission' }, 'regionInstanceGroupManagers.insert', scope) as { exitCode: number; message: string; permission: string }
    expect(denied.exitCode).toBe(5)
    expect(denied.permission).toBe('compute.instanceGroupManagers.create')
    expect(denied.message).toBe('Permission denied: compute.instanceGroupManagers.create on target "gcp" (project acme-prod) (calling regionInstanceGroupManagers.insert).')
    const reported = translateGcpError({ response: { status: 403 }, errorInfoMetadata: { permission: 'secretmanager.versions.add' } }, 'secrets.addVersion', scope) as { permission: string }
    expect(reported.permission).toBe('secretmanager.versions.add')
    expect((translateGcpError({ code: 'ECONNREFUSED' }, 'healthChecks.get', { ...scope, endpoint: 'http://127.0.0.1:9' }) as { exitCode: number }).exitCode).toBe(4)
    const unknown = new Error('a bug')
    expect(translateGcpError(unknown, 'healthChecks.get', scope)).toBe(unknown)
  })

  it('knows a permission for every call', () => {
    for (const spec of Object.values(CALLS)) expect(spec.permission).toMatch(/^[a-z]+\.[a-zA-Z]+\.[a-zA-Z]+$/)
    expect(allPermissions()).toContain('iam.serviceAccounts.actAs')
    expect(new Set(allPermissions()).size).toBe(allPermissions().length)
  })
})

describe('gcp retries', () => {
  it('doubles from the base, caps, and jitters between half and all of it', () => {
    const policy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 16_000 }
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffMs(policy, retry, 1))).toEqual([1000, 2000, 4000, 8000, 16_000, 16_000])
    expect(backoffMs(policy, 3, 0)).toBe(2000)
  })
})

describe('gcp clients', () => {
  it('runs in REST mode at the override, with the library retries off for every method', () => {
    const auth = new OAuth2Client()
    expect(endpointOverride('http://127.0.0.1:8085')).toEqual({ apiEndpoint: '127.0.0.1', port: 8085, protocol: 'http' })
    expect(endpointOverride('https://compute.private.example')).toEqual({ apiEndpoint: 'compute.private.example', port: 443, protocol: 'https' })
    expect(endpointOverride(undefined)).toBeUndefined()
    const options = clientOptions('HealthChecks', ['Get', 'Insert'], auth, endpointOverride('http://127.0.0.1:8085'))
    expect(options).toEqual({
      fallback: true, authClient: auth, apiEndpoint: '127.0.0.1', port: 8085, protocol: 'http',
      clientConfig: { interfaces: { 'google.cloud.compute.v1.HealthChecks': { retry_codes: { strato_none: [] }, methods: { Get: { retry_codes_name: 'strato_none' }, Insert: { retry_codes_name: 'strato_none' } } } } },
    })
  })

  it('keeps only the types a service reaches', () => {
    const tree = {
      nested: {
        google: {
          nested: {
            api: { nested: { http: {} } },
            cloud: {
              nested: {
                compute: {
                  nested: {
                    v1: {
                      nested: {
                        Things: { methods: { Get: { requestType: 'GetThingRequest', responseType: 'Thing' } } },
                        Others: { methods: { Get: { requestType: 'GetOtherRequest', responseType: '.google.cloud.compute.v1.Other' } } },
                        GetThingRequest: { fields: { thing: { type: 'string' } } },
                        Thing: { fields: { part: { type: 'Part' }, tags: { type: 'string', keyType: 'string' } }, nested: { Kind: { values: { A: 0 } } } },
                        Part: { fields: { kind: { type: 'Thing.Kind' } } },
                        GetOtherRequest: { fields: {} },
                        Other: { fields: {} },
                      },
                    },
                    v1beta: { nested: { Big: {} } },
                  },
                },
              },
            },
          },
        },
      },
    }
    const pruned = pruneComputeProtos(tree, ['Things'])
    expect(Object.keys(pruned.nested!.google.nested!.cloud.nested!.compute.nested!)).toEqual(['v1'])
    expect(Object.keys(pruned.nested!.google.nested!.cloud.nested!.compute.nested!.v1.nested!)).toEqual(['GetThingRequest', 'Part', 'Thing', 'Things'])
    expect(pruned.nested!.google.nested!.api).toBe(tree.nested.google.nested.api)
    expect(() => pruneComputeProtos(tree, ['Nope'])).toThrow('compute v1 has no service Nope')
  })
})

describe('gcp credentials', () => {
  it('says where Application Default Credentials found them', () => {
    expect(describeSource({ type: 'service_account' }, { GOOGLE_APPLICATION_CREDENTIALS: '/k.json' })).toBe('service account key (GOOGLE_APPLICATION_CREDENTIALS)')
    expect(describeSource({ type: 'authorized_user' }, {})).toBe('user credentials (gcloud application_default_credentials.json)')
    expect(describeSource(null, {})).toBe('the metadata server (the attached service account)')
  })

  it('sends token requests to the key\'s token_uri', async () => {
    const client = new OAuth2Client()
    const before = client.transporter.interceptors.request.size
    redirectTokenRequests(client, 'http://127.0.0.1:9/token')
    expect(client.transporter.interceptors.request.size).toBe(before + 1)
    const interceptor = [...client.transporter.interceptors.request.values()].at(-1)
    const redirected = await interceptor!.resolved!({ url: new URL(GOOGLE_TOKEN_URL), headers: new Headers() } as never) as { url: URL }
    expect(redirected.url.href).toBe('http://127.0.0.1:9/token')
    const other = await interceptor!.resolved!({ url: new URL('https://compute.googleapis.com/x'), headers: new Headers() } as never) as { url: URL }
    expect(other.url.href).toBe('https://compute.googleapis.com/x')
    const plain = new OAuth2Client()
    const unchanged = plain.transporter.interceptors.request.size
    redirectTokenRequests(plain, GOOGLE_TOKEN_URL)
    expect(plain.transporter.interceptors.request.size).toBe(unchanged)
  })
})

describe('gcp group state', () => {
  const group = readGroup({
    name: 'strato-shop-users', targetSize: 2, status: { isStable: true, versionTarget: { isReached: true } },
    versions: [{ instanceTemplate: 'https://www.googleapis.com/compute/v1/projects/p/global/instanceTemplates/strato-shop-users-abc' }],
    description: 'strato {"strato.project":"shop"}',
  })
  const member = (name: string, overrides: object = {}) => ({
    instance: `https://www.googleapis.com/compute/v1/projects/p/zones/europe-west1-b/instances/${name}`, instanceStatus: 'RUNNING', currentAction: 'NONE',
    version: { instanceTemplate: 'global/instanceTemplates/strato-shop-users-abc' }, instanceHealth: [{ detailedHealthState: 'HEALTHY' }], ...overrides,
  })

  it('reads versions, state and members', () => {
    expect(group).toMatchObject({ templates: ['strato-shop-users-abc'], stable: true, versionReached: true, state: { 'strato.project': 'shop' } })
    expect(readMembers([member('a'), member('b', { instanceStatus: 'PROVISIONING', currentAction: 'CREATING', instanceHealth: [] })])).toEqual([
      { name: 'a', zone: 'europe-west1-b', template: 'strato-shop-users-abc', action: 'NONE', state: 'running', health: 'healthy' },
      { name: 'b', zone: 'europe-west1-b', template: 'strato-shop-users-abc', action: 'CREATING', state: 'pending', health: 'none' },
    ])
  })

  it('calls a rollout done only when settled, on the template, running and healthy', () => {
    expect(rolloutDone(group, readMembers([member('a'), member('b')]), 'strato-shop-users-abc')).toBe(true)
    expect(rolloutDone(group, readMembers([member('a'), member('b', { instanceHealth: [{ detailedHealthState: 'UNHEALTHY' }] })]), 'strato-shop-users-abc')).toBe(false)
    expect(rolloutDone(group, readMembers([member('a')]), 'strato-shop-users-abc')).toBe(false)
    expect(rolloutDone({ ...group, stable: false }, readMembers([member('a'), member('b')]), 'strato-shop-users-abc')).toBe(false)
    expect(rolloutDone(group, readMembers([member('a'), member('b')]), 'strato-shop-users-def')).toBe(false)
  })
})
