/**
 * The gcp fake through the real compute client and the provider's API edge
 * (credentials from a key file through Application Default Credentials,
 * retries, operations awaited with `wait`, errors by kind): the simulated
 * groups move over time, and every injected fault surfaces as the provider
 * must report it.
 */
import { createRequire } from 'node:module'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { GcpApi, PAGED, type RetryPolicy } from '../../providers/gcp/api.js'
import { applicationDefaultCredentials } from '../../providers/gcp/auth.js'
import { isGcpError } from '../../providers/gcp/errors.js'
import { readGroup, readMembers, rolloutDone } from '../../providers/gcp/group-state.js'
import { UserError } from '../../src/errors.js'
import { startTestFake, type TestFake } from '../helpers/gcp-fake.js'

const PROJECT = 'fake-proj-1'
const REGION = 'europe-west1'
const FAST_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 }

let fake: TestFake
let api: GcpApi

async function newApi(endpoint = fake.endpoint, retry = FAST_RETRY): Promise<GcpApi> {
  const { client } = await applicationDefaultCredentials('gcp', process.env)
  return new GcpApi({ project: PROJECT, region: REGION, targetName: 'gcp', endpoint, authClient: client, retry })
}

async function refusal(work: Promise<unknown>): Promise<UserError> {
  try {
    await work
  } catch (error) {
    if (error instanceof UserError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

const healthCheck = { name: 'strato-shop-users', type: 'HTTP', httpHealthCheck: { port: 8080, requestPath: '/healthz' } }
const template = (name: string) => ({
  name,
  properties: {
    machineType: 'e2-small',
    labels: { 'strato-project': 'shop', 'strato-service': 'users' },
    disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12' } }],
    networkInterfaces: [{ network: 'global/networks/default' }],
  },
})

async function createTemplate(name: string): Promise<void> {
  await api.mutate('instanceTemplates.insert', (requestId) => api.compute.instanceTemplates.insert({ project: PROJECT, requestId, instanceTemplateResource: template(name) }))
}

async function group(name = 'strato-shop-users') {
  const [mig] = await api.call('regionInstanceGroupManagers.get', () => api.compute.groups.get({ project: PROJECT, region: REGION, instanceGroupManager: name }))
  const members = await api.all('regionInstanceGroupManagers.listManagedInstances', () =>
    api.compute.groups.listManagedInstancesAsync({ project: PROJECT, region: REGION, instanceGroupManager: name }, PAGED))
  return { group: readGroup(mig), members: readMembers(members), raw: mig }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

beforeAll(async () => {
  fake = await startTestFake()
  process.env.GOOGLE_APPLICATION_CREDENTIALS = fake.keyFile
  process.env.METADATA_SERVER_DETECTION = 'none'
  api = await newApi()
})

afterAll(async () => {
  await api?.close()
  await fake?.close()
})

beforeEach(async () => {
  await fake.reset()
})

describe('gcp fake: groups over time', () => {
  it('creates instances, verifies them and settles; the credentials came from the key file through the token endpoint', async () => {
    // slow enough boots that the group is still creating when it is first read, however busy the machine
    await fake.control('POST', 'timing', { bootMs: 1_500, healthyMs: 200 })
    await api.mutate('healthChecks.insert', (requestId) => api.compute.healthChecks.insert({ project: PROJECT, requestId, healthCheckResource: healthCheck }))
    await createTemplate('strato-shop-users-v1')
    await api.mutate('regionInstanceGroupManagers.insert', (requestId) => api.compute.groups.insert({
      project: PROJECT, region: REGION, requestId,
      instanceGroupManagerResource: {
        name: 'strato-shop-users', baseInstanceName: 'strato-shop-users', targetSize: 2,
        versions: [{ instanceTemplate: `projects/${PROJECT}/global/instanceTemplates/strato-shop-users-v1` }],
        autoHealingPolicies: [{ healthCheck: `global/healthChecks/${healthCheck.name}`, initialDelaySec: 60 }],
        updatePolicy: { type: 'PROACTIVE', minimalAction: 'REPLACE', maxSurge: { fixed: 2 }, maxUnavailable: { fixed: 0 } },
      },
    }))
    const early = await group()
    expect(early.group.stable).toBe(false)
    expect(early.members.map((member) => member.action)).toEqual(['CREATING', 'CREATING'])
    expect(early.raw.currentActions?.creating).toBe(2)
    const settled = await until(group, ({ group: state, members }) => rolloutDone(state, members, 'strato-shop-users-v1'))
    expect(settled.group).toMatchObject({ stable: true, versionReached: true, targetSize: 2, templates: ['strato-shop-users-v1'] })
    expect(settled.members.map((member) => member.health)).toEqual(['healthy', 'healthy'])
    const requests = await fake.requests()
    expect(requests[0]).toMatchObject({ method: 'POST', path: '/token', status: 200 })
    // the clients ran on google-gax's REST half alone: its index (and gRPC with it) never loaded
    const loaded = Object.keys(createRequire(import.meta.url).cache)
    expect(loaded.filter((file) => file.endsWith('google-gax/build/src/fallback.js'))).toHaveLength(1)
    expect(loaded.filter((file) => /google-gax\/build\/src\/index\.js$|@grpc\/grpc-js/.test(file))).toEqual([])
  })

  it('rolls a new version out with surge, and keeps the old instances when the new ones never turn healthy', async () => {
    await api.mutate('healthChecks.insert', (requestId) => api.compute.healthChecks.insert({ project: PROJECT, requestId, healthCheckResource: healthCheck }))
    for (const name of ['strato-shop-users-v1', 'strato-shop-users-v2', 'strato-shop-users-v3']) await createTemplate(name)
    await fake.faults({ kind: 'unhealthy', template: 'strato-shop-users-v3' })
    await api.mutate('regionInstanceGroupManagers.insert', (requestId) => api.compute.groups.insert({
      project: PROJECT, region: REGION, requestId,
      instanceGroupManagerResource: {
        name: 'strato-shop-users', targetSize: 2, versions: [{ instanceTemplate: 'global/instanceTemplates/strato-shop-users-v1' }],
        autoHealingPolicies: [{ healthCheck: `global/healthChecks/${healthCheck.name}` }],
        updatePolicy: { type: 'PROACTIVE', minimalAction: 'REPLACE', maxSurge: { fixed: 2 }, maxUnavailable: { fixed: 0 } },
      },
    }))
    await until(group, ({ group: state, members }) => rolloutDone(state, members, 'strato-shop-users-v1'))
    const patch = async (version: string) => {
      const { raw } = await group()
      await api.mutate('regionInstanceGroupManagers.patch', (requestId) => api.compute.groups.patch({
        project: PROJECT, region: REGION, instanceGroupManager: 'strato-shop-users', requestId,
        instanceGroupManagerResource: { fingerprint: raw.fingerprint, versions: [{ instanceTemplate: `global/instanceTemplates/${version}` }] },
      }))
    }
    await patch('strato-shop-users-v2')
    const surging = await group()
    expect(surging.members).toHaveLength(4)
    expect(surging.group.versionReached).toBe(false)
    await until(group, ({ group: state, members }) => rolloutDone(state, members, 'strato-shop-users-v2'))

    await patch('strato-shop-users-v3')
    await new Promise((resolve) => setTimeout(resolve, 400))
    const stuck = await group()
    expect(stuck.group.stable).toBe(false)
    expect(stuck.members.filter((member) => member.template === 'strato-shop-users-v2').map((member) => member.health)).toEqual(['healthy', 'healthy'])
    expect(stuck.members.filter((member) => member.template === 'strato-shop-users-v3').map((member) => member.health)).toEqual(['unhealthy', 'unhealthy'])

    await patch('strato-shop-users-v2')
    const back = await until(group, ({ group: state, members }) => rolloutDone(state, members, 'strato-shop-users-v2'))
    expect(back.members).toHaveLength(2)
  })

  it('resizes, and refuses to delete a template or health check a group uses', async () => {
    await api.mutate('healthChecks.insert', (requestId) => api.compute.healthChecks.insert({ project: PROJECT, requestId, healthCheckResource: healthCheck }))
    await createTemplate('strato-shop-users-v1')
    await api.mutate('regionInstanceGroupManagers.insert', (requestId) => api.compute.groups.insert({
      project: PROJECT, region: REGION, requestId,
      instanceGroupManagerResource: { name: 'strato-shop-users', targetSize: 1, instanceTemplate: 'global/instanceTemplates/strato-shop-users-v1', autoHealingPolicies: [{ healthCheck: `global/healthChecks/${healthCheck.name}` }] },
    }))
    await api.mutate('regionInstanceGroupManagers.resize', (requestId) => api.compute.groups.resize({ project: PROJECT, region: REGION, instanceGroupManager: 'strato-shop-users', size: 3, requestId }))
    const grown = await until(group, ({ group: state, members }) => rolloutDone(state, members, 'strato-shop-users-v1'))
    expect(grown.members).toHaveLength(3)
    const inUse = await refusal(api.mutate('instanceTemplates.delete', (requestId) => api.compute.instanceTemplates.delete({ project: PROJECT, instanceTemplate: 'strato-shop-users-v1', requestId })))
    expect(isGcpError(inUse, 'invalid')).toBe(true)
    const used = await refusal(api.mutate('healthChecks.delete', (requestId) => api.compute.healthChecks.delete({ project: PROJECT, healthCheck: healthCheck.name, requestId })))
    expect(isGcpError(used, 'invalid')).toBe(true)
  })
})

describe('gcp fake: internal balancers and reserved addresses', () => {
  const REGIONAL = `projects/${PROJECT}/regions/${REGION}`
  const tcpCheck = { name: 'strato-shop-db', type: 'TCP', tcpHealthCheck: { port: 5432 } }
  const reserve = (name: string, body: Record<string, unknown>) =>
    api.mutate('addresses.insert', (requestId) => api.compute.addresses.insert({ project: PROJECT, region: REGION, requestId, addressResource: { name, addressType: 'INTERNAL', ...body } }))
  const readAddress = async (name: string) => (await api.call('addresses.get', () => api.compute.addresses.get({ project: PROJECT, region: REGION, address: name })))[0]
  const backend = (name: string, body: Record<string, unknown> = {}) => api.mutate('regionBackendServices.insert', (requestId) => api.compute.regionBackendServices.insert({
    project: PROJECT, region: REGION, requestId,
    backendServiceResource: { name, loadBalancingScheme: 'INTERNAL', protocol: 'TCP', healthChecks: [`${REGIONAL}/healthChecks/${tcpCheck.name}`], ...body },
  }))
  const rule = (name: string, body: Record<string, unknown>) => api.mutate('forwardingRules.insert', (requestId) => api.compute.forwardingRules.insert({
    project: PROJECT, region: REGION, requestId,
    forwardingRuleResource: { name, loadBalancingScheme: 'INTERNAL', IPProtocol: 'TCP', backendService: `${REGIONAL}/backendServices/strato-shop-db`, subnetwork: `${REGIONAL}/subnetworks/default`, ...body },
  }))
  const removeRule = (name: string) => api.mutate('forwardingRules.delete', (requestId) => api.compute.forwardingRules.delete({ project: PROJECT, region: REGION, forwardingRule: name, requestId }))

  it('finds the region\'s subnet from the network, reserves an address in it, and refuses an IP that is taken or outside it', async () => {
    const [network] = await api.call('networks.get', () => api.compute.networks.get({ project: PROJECT, network: 'default' }))
    const subnetLink = network.subnetworks!.find((link) => link.includes(`/regions/${REGION}/`))!
    expect(subnetLink).toBe(`https://www.googleapis.com/compute/v1/${REGIONAL}/subnetworks/default`)
    const [subnet] = await api.call('subnetworks.get', () => api.compute.subnetworks.get({ project: PROJECT, region: REGION, subnetwork: 'default' }))
    expect(subnet).toMatchObject({ ipCidrRange: '10.132.0.0/20', network: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/default` })

    await reserve('strato-shop-gcp-internal', { purpose: 'SHARED_LOADBALANCER_VIP', subnetwork: subnetLink })
    const reserved = await readAddress('strato-shop-gcp-internal')
    expect(reserved).toMatchObject({ addressType: 'INTERNAL', purpose: 'SHARED_LOADBALANCER_VIP', status: 'RESERVED', subnetwork: subnetLink, region: `https://www.googleapis.com/compute/v1/${REGIONAL}` })
    expect(reserved.address).toMatch(/^10\.132\.\d+\.\d+$/)

    const taken = await refusal(reserve('another', { subnetwork: subnetLink, address: reserved.address }))
    expect(isGcpError(taken, 'alreadyExists')).toBe(true)
    expect(taken.exitCode).toBe(6)
    expect(taken.options.details?.[0]).toContain(`IP '${reserved.address}' is already being used by another resource.`)
    const outside = await refusal(reserve('outside', { subnetwork: subnetLink, address: '10.200.0.5' }))
    expect(isGcpError(outside, 'invalid')).toBe(true)
    const elsewhere = await refusal(reserve('elsewhere', { subnetwork: `projects/${PROJECT}/regions/us-central1/subnetworks/default` }))
    expect(isGcpError(elsewhere, 'invalid')).toBe(true)
  })

  it('shares a SHARED_LOADBALANCER_VIP address between rules on distinct ports only, and keeps an address in use', async () => {
    await api.mutate('regionHealthChecks.insert', (requestId) => api.compute.regionHealthChecks.insert({ project: PROJECT, region: REGION, requestId, healthCheckResource: tcpCheck }))
    const wrongMode = await refusal(backend('strato-shop-db', { backends: [{ group: `${REGIONAL}/instanceGroups/missing`, balancingMode: 'UTILIZATION' }] }))
    expect(isGcpError(wrongMode, 'invalid')).toBe(true)
    const http = await refusal(backend('strato-shop-db', { protocol: 'HTTP' }))
    expect(isGcpError(http, 'invalid')).toBe(true)
    await backend('strato-shop-db')
    await reserve('shared', { purpose: 'SHARED_LOADBALANCER_VIP', subnetwork: `${REGIONAL}/subnetworks/default` })
    await reserve('single', { subnetwork: `${REGIONAL}/subnetworks/default` })
    const shared = await readAddress('shared')
    const single = await readAddress('single')
    expect(single.purpose).toBe('GCE_ENDPOINT')

    await rule('strato-shop-db', { IPAddress: `regions/${REGION}/addresses/shared`, ports: ['5432'] })
    const [created] = await api.call('forwardingRules.get', () => api.compute.forwardingRules.get({ project: PROJECT, region: REGION, forwardingRule: 'strato-shop-db' }))
    // the API keeps the IP itself, whatever form the request named the address in
    expect(created).toMatchObject({ IPAddress: shared.address, loadBalancingScheme: 'INTERNAL', ports: ['5432'] })
    expect(await readAddress('shared')).toMatchObject({ status: 'IN_USE', users: [created.selfLink] })

    const samePort = await refusal(rule('strato-shop-replica', { IPAddress: shared.address, ports: ['5432'] }))
    expect(isGcpError(samePort, 'invalid')).toBe(true)
    await rule('strato-shop-cache', { IPAddress: shared.address, ports: ['6379'] })
    expect((await readAddress('shared')).users).toHaveLength(2)

    await rule('strato-shop-one', { IPAddress: `${REGIONAL}/addresses/single`, ports: ['8000'] })
    const notShared = await refusal(rule('strato-shop-two', { IPAddress: single.address, ports: ['8001'] }))
    expect(isGcpError(notShared, 'alreadyExists')).toBe(true)

    const external = await refusal(rule('strato-shop-external', { loadBalancingScheme: 'EXTERNAL', ports: ['9000'], IPAddress: undefined, subnetwork: undefined }))
    expect(isGcpError(external, 'invalid')).toBe(true)

    const inUse = await refusal(api.mutate('addresses.delete', (requestId) => api.compute.addresses.delete({ project: PROJECT, region: REGION, address: 'shared', requestId })))
    expect(isGcpError(inUse, 'invalid')).toBe(true)
    for (const name of ['strato-shop-db', 'strato-shop-cache', 'strato-shop-one']) await removeRule(name)
    for (const name of ['shared', 'single']) await api.mutate('addresses.delete', (requestId) => api.compute.addresses.delete({ project: PROJECT, region: REGION, address: name, requestId }))
    expect((await fake.state())[`${REGIONAL}/addresses`] ?? []).toEqual([])
  })
})

describe('gcp fake: faults', () => {
  it('an operation that ends in error becomes a failure naming the call, and changes nothing', async () => {
    await fake.faults({ kind: 'operation', operationType: 'insert', target: '^strato-shop-users$', code: 'QUOTA_EXCEEDED', message: "Quota 'CPUS' exceeded. Limit: 8.0 in region europe-west1.", times: 1 })
    const error = await refusal(api.mutate('healthChecks.insert', (requestId) => api.compute.healthChecks.insert({ project: PROJECT, requestId, healthCheckResource: healthCheck })))
    expect(error.message).toBe("Google could not complete healthChecks.insert on healthChecks/strato-shop-users for target \"gcp\": QUOTA_EXCEEDED: Quota 'CPUS' exceeded. Limit: 8.0 in region europe-west1.")
    expect(error.exitCode).toBe(1)
    expect(await api.find('healthChecks.get', () => api.compute.healthChecks.get({ project: PROJECT, healthCheck: healthCheck.name }))).toBeUndefined()
  })

  it('retries 429 and 503 with the same request id, within the bound', async () => {
    await fake.faults({ kind: 'status', status: 429, method: 'POST', path: '/global/healthChecks$', times: 1 }, { kind: 'status', status: 503, method: 'POST', path: '/global/healthChecks$', times: 1 })
    await api.mutate('healthChecks.insert', (requestId) => api.compute.healthChecks.insert({ project: PROJECT, requestId, healthCheckResource: healthCheck }))
    const inserts = (await fake.requests()).filter((request) => request.method === 'POST' && request.path.endsWith('/global/healthChecks'))
    expect(inserts.map((request) => request.status)).toEqual([429, 503, 200])
    expect(new Set(inserts.map((request) => request.query.requestId)).size).toBe(1)

    await fake.faults({ kind: 'status', status: 503, method: 'GET', path: 'healthChecks/strato-shop-users$', times: 5 })
    const error = await refusal(api.call('healthChecks.get', () => api.compute.healthChecks.get({ project: PROJECT, healthCheck: healthCheck.name })))
    expect(error.message).toBe('compute.googleapis.com kept failing (healthChecks.get) on target "gcp" (project fake-proj-1) after 3 attempts.')
    expect(error.exitCode).toBe(1)
  })

  it('a missing permission exits 5 and names it', async () => {
    await fake.faults({ kind: 'deny', permission: 'compute.instanceTemplates.create', times: 1 })
    const error = await refusal(createTemplate('strato-shop-users-v1'))
    expect(error.message).toBe('Permission denied: compute.instanceTemplates.create on target "gcp" (project fake-proj-1) (calling instanceTemplates.insert).')
    expect(error.exitCode).toBe(5)
    expect(error.fix).toContain('compute.googleapis.com')
  })

  it('a duplicate is a conflict; a stale fingerprint too', async () => {
    await createTemplate('strato-shop-users-v1')
    const duplicate = await refusal(createTemplate('strato-shop-users-v1'))
    expect(isGcpError(duplicate, 'alreadyExists')).toBe(true)
    expect(duplicate.exitCode).toBe(6)
    await api.mutate('healthChecks.insert', (requestId) => api.compute.healthChecks.insert({ project: PROJECT, requestId, healthCheckResource: healthCheck }))
    await api.mutate('backendServices.insert', (requestId) => api.compute.backendServices.insert({
      project: PROJECT, requestId, backendServiceResource: { name: 'strato-shop-users', healthChecks: [`global/healthChecks/${healthCheck.name}`] },
    }))
    await api.mutate('urlMaps.insert', (requestId) => api.compute.urlMaps.insert({ project: PROJECT, requestId, urlMapResource: { name: 'strato-shop-gcp-http', defaultService: 'global/backendServices/strato-shop-users' } }))
    const stale = await refusal(api.mutate('urlMaps.update', (requestId) => api.compute.urlMaps.update({
      project: PROJECT, urlMap: 'strato-shop-gcp-http', requestId, urlMapResource: { name: 'strato-shop-gcp-http', fingerprint: 'c3RhbGU=', defaultService: 'global/backendServices/strato-shop-users' },
    })))
    expect(isGcpError(stale, 'precondition')).toBe(true)
    expect(stale.exitCode).toBe(6)
    await fake.faults({ kind: 'status', status: 412, method: 'PATCH', times: 1 })
    const forced = await refusal(api.mutate('backendServices.patch', (requestId) => api.compute.backendServices.patch({
      project: PROJECT, backendService: 'strato-shop-users', requestId, backendServiceResource: { timeoutSec: 60 },
    })))
    expect(isGcpError(forced, 'precondition')).toBe(true)
  })

  it('refused credentials exit 5; an endpoint that does not answer exits 4', async () => {
    await fake.control('POST', 'credentials', { refuse: true })
    const fresh = await newApi()
    const refused = await refusal(fresh.call('healthChecks.list', () => fresh.compute.healthChecks.list({ project: PROJECT })))
    expect(refused.exitCode).toBe(5)
    expect(refused.message).toBe('Google refused the credentials for target "gcp" (project fake-proj-1).')
    await fresh.close()
    await fake.control('POST', 'credentials', { refuse: false })

    const dead = await newApi('http://127.0.0.1:9')
    const unreachable = await refusal(dead.call('healthChecks.list', () => dead.compute.healthChecks.list({ project: PROJECT })))
    expect(unreachable.exitCode).toBe(4)
    expect(unreachable.message).toBe('Could not reach http://127.0.0.1:9 for target "gcp" (project fake-proj-1).')
    await dead.close()
  })
})

describe('gcp fake: the other APIs', () => {
  it('answers Monitoring with the seeded series, aligned and reduced', async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 12, minute, 10)).toISOString()
    const labels = { 'strato-project': 'shop', 'strato-service': 'users' }
    await fake.control('POST', 'metrics', { series: [
      { metricType: 'compute.googleapis.com/instance/cpu/utilization', resourceType: 'gce_instance', userLabels: labels, points: [{ at: at(0), value: 0.2 }, { at: at(1), value: 0.4 }] },
      { metricType: 'compute.googleapis.com/instance/cpu/utilization', resourceType: 'gce_instance', userLabels: labels, points: [{ at: at(0), value: 0.6 }, { at: at(1), value: 0.8 }] },
      { metricType: 'compute.googleapis.com/instance/cpu/utilization', resourceType: 'gce_instance', userLabels: { ...labels, 'strato-service': 'orders' }, points: [{ at: at(0), value: 0.9 }] },
    ] })
    const answer = await api.rest<{ timeSeries: { points: { interval: { startTime: string }; value: { doubleValue: number } }[] }[] }>('timeSeries.list', {
      path: `/v3/projects/${PROJECT}/timeSeries`,
      params: {
        filter: 'metric.type = "compute.googleapis.com/instance/cpu/utilization" AND metadata.user_labels."strato-service" = "users"',
        'interval.startTime': at(0).slice(0, 16) + ':00Z', 'interval.endTime': at(5),
        'aggregation.alignmentPeriod': '60s', 'aggregation.perSeriesAligner': 'ALIGN_MEAN', 'aggregation.crossSeriesReducer': 'REDUCE_MEAN',
      },
    })
    expect(answer.timeSeries[0].points.map((point) => [point.interval.startTime, Math.round(point.value.doubleValue * 100) / 100])).toEqual([
      ['2026-11-01T12:01:00.000Z', 0.6], ['2026-11-01T12:00:00.000Z', 0.4],
    ])
  })

  it('keeps secrets and service accounts, and answers 409 and 404 as the APIs do', async () => {
    await api.rest('secrets.create', { method: 'POST', path: `/v1/projects/${PROJECT}/secrets`, params: { secretId: 'strato-shop-DB_PASSWORD' }, data: { replication: { automatic: {} }, labels: { 'strato-project': 'shop' } } })
    await api.rest('secrets.addVersion', { method: 'POST', path: `/v1/projects/${PROJECT}/secrets/strato-shop-DB_PASSWORD:addVersion`, data: { payload: { data: Buffer.from('pw').toString('base64') } } })
    const again = await refusal(api.rest('secrets.create', { method: 'POST', path: `/v1/projects/${PROJECT}/secrets`, params: { secretId: 'strato-shop-DB_PASSWORD' }, data: {} }))
    expect(isGcpError(again, 'alreadyExists')).toBe(true)
    const listed = await api.rest<{ secrets: { name: string }[] }>('secrets.list', { path: `/v1/projects/${PROJECT}/secrets`, params: { filter: 'labels.strato-project=shop' } })
    expect(listed.secrets.map((secret) => secret.name.split('/').pop())).toEqual(['strato-shop-DB_PASSWORD'])
    await api.rest('serviceAccounts.create', { method: 'POST', path: `/v1/projects/${PROJECT}/serviceAccounts`, data: { accountId: 'strato-shop', serviceAccount: { displayName: 'strato shop' } } })
    const account = await api.rest<{ email: string }>('serviceAccounts.get', { path: `/v1/projects/${PROJECT}/serviceAccounts/strato-shop@${PROJECT}.iam.gserviceaccount.com` })
    expect(account.email).toBe(`strato-shop@${PROJECT}.iam.gserviceaccount.com`)
    const missing = await refusal(api.rest('serviceAccounts.get', { path: `/v1/projects/${PROJECT}/serviceAccounts/nobody@${PROJECT}.iam.gserviceaccount.com` }))
    expect(isGcpError(missing, 'notFound')).toBe(true)
    await fake.faults({ kind: 'deny', permission: 'secretmanager.secrets.delete', times: 1 })
    const denied = await refusal(api.rest('secrets.delete', { method: 'DELETE', path: `/v1/projects/${PROJECT}/secrets/strato-shop-DB_PASSWORD` }))
    expect(denied.exitCode).toBe(5)
    expect(denied.message).toBe('Permission denied: secretmanager.secrets.delete on target "gcp" (project fake-proj-1) (calling secrets.delete).')
  })
})
