/**
 * The gcp deployment against the fake, through the real compute client:
 * create, update with surge, a version that never turns healthy (rolled
 * back, the old instances keep serving), scale, delete, and destroy that
 * leaves nothing.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GcpApi } from '../../providers/gcp/api.js'
import { applicationDefaultCredentials } from '../../providers/gcp/auth.js'
import { applyAutoscaler } from '../../providers/gcp/autoscaler.js'
import { applyActions, type DeploymentContext } from '../../providers/gcp/deployment.js'
import { releasesFrom, rollbackTo } from '../../providers/gcp/releases.js'
import { readInventory, toResources } from '../../providers/gcp/inventory.js'
import { privateDrift } from '../../providers/gcp/internal-balancer.js'
import { destroyTarget } from '../../providers/gcp/service-removal.js'
import { settingsOf } from '../../providers/gcp/target-settings.js'
import { UserError } from '../../src/errors.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { silentProgress, type Action } from '../../src/model.js'
import { startTestFake, type TestFake } from '../helpers/gcp-fake.js'

const GCP_PROJECT = 'acme-deploy'
let fake: TestFake
let context: DeploymentContext

function manifest(image: string): Manifest {
  return {
    name: 'shop',
    services: {
      users: { image, port: 8080, health: '/healthz', env: { LOG_LEVEL: 'info' }, secrets: ['DB_PASSWORD'], autoscale: { min: 1, max: 4, target: { cpu: 60 } } },
      orders: { image: 'europe-west1-docker.pkg.dev/acme-deploy/shop/orders:1.0.0', port: 8081, health: '/healthz' },
    },
    targets: { gcp: { provider: 'gcp', project: GCP_PROJECT, zone: 'europe-west1-b', machineType: 'e2-small' } },
  } as Manifest
}

const action = (kind: Action['kind'], service: string, to: number, toVersion: string): Action => (kind === 'delete' ? { kind, target: 'gcp', service, reasons: [] } : { kind, target: 'gcp', service, to, toVersion, reasons: [] })

async function inventory() {
  return toResources(await readInventory(context.api, 'shop', 'gcp'), 'gcp', 'europe-west1')
}

beforeAll(async () => {
  fake = await startTestFake()
  process.env.GOOGLE_APPLICATION_CREDENTIALS = fake.keyFile
  process.env.METADATA_SERVER_DETECTION = 'none'
  const { client } = await applicationDefaultCredentials('gcp', process.env)
  const fields = { project: GCP_PROJECT, zone: 'europe-west1-b', zones: ['europe-west1-b', 'europe-west1-c'], endpoint: fake.endpoint }
  const api = new GcpApi({ project: GCP_PROJECT, region: 'europe-west1', targetName: 'gcp', endpoint: fake.endpoint, authClient: client, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 } })
  context = {
    api, manifest: manifest('nginx:1.27'), targetName: 'gcp', settings: settingsOf(fields), projectDir: mkdtempSync(path.join(tmpdir(), 'strato-gcp-deploy-')),
    env: { DB_PASSWORD: 'not-a-real-password' }, timing: { healthTimeoutMs: 3_000, pollMs: 25 }, deployedBy: 'ops@example.com', deployedAt: '2026-11-29T10:00:00.000Z',
  }
})

afterAll(async () => {
  await context?.api.close()
  await fake?.close()
})

describe('gcp deployment against the fake', () => {
  it('creates both services behind one HTTP balancer, with secrets readable only by the project\'s account', async () => {
    const result = await applyActions(context, [action('create', 'users', 2, 'v1aaaaaaaaaa'), action('create', 'orders', 1, 'v1bbbbbbbbbb')], silentProgress)
    expect(result.applied).toHaveLength(2)
    expect(Object.keys(result.endpoints).sort()).toEqual(['orders', 'users'])
    expect(result.endpoints.users).toMatch(/^http:\/\/34\.120\.\d+\.\d+\/users\/$/)
    expect(result.warnings[0]).toMatch(/Cloud NAT/)
    const resources = await inventory()
    expect(resources.filter((resource) => resource.kind === 'instance' && resource.service === 'users').map((resource) => [resource.version, resource.state, resource.health]))
      .toEqual([['v1aaaaaaaaaa', 'running', 'healthy'], ['v1aaaaaaaaaa', 'running', 'healthy']])
    const state = await fake.state()
    expect(state['projects/acme-deploy/global/urlMaps']).toEqual(['strato-shop-gcp-http'])
    expect(state.secrets).toEqual([expect.stringMatching(/\/secrets\/strato-shop-DB_PASSWORD$/)])
    expect(state.serviceAccounts).toEqual(['strato-shop@acme-deploy.iam.gserviceaccount.com'])
    const requests = await fake.requests()
    expect(requests.filter((request) => request.path.endsWith(':setIamPolicy')).map((request) => request.path)).toEqual([
      expect.stringMatching(/secrets\/strato-shop-DB_PASSWORD:setIamPolicy$/),
      '/v1/projects/acme-deploy/locations/europe-west1/repositories/shop:setIamPolicy',
    ])
    // a second apply of the same plan changes nothing
    const before = (await fake.requests()).length
    await applyActions(context, [action('noop', 'users', 2, 'v1aaaaaaaaaa'), action('noop', 'orders', 1, 'v1bbbbbbbbbb')], silentProgress)
    const mutations = (await fake.requests()).slice(before).filter((request) => request.method !== 'GET' && !request.path.endsWith('/listManagedInstances'))
    expect(mutations).toEqual([])
  })

  it('rolls a new version out, and rolls a never-healthy one back while the old keeps serving', async () => {
    context.deployedAt = '2026-11-29T11:00:00.000Z'
    await applyActions(context, [action('update', 'users', 2, 'v2aaaaaaaaaa')], silentProgress)
    expect((await inventory()).filter((resource) => resource.kind === 'instance' && resource.service === 'users').map((resource) => resource.version)).toEqual(['v2aaaaaaaaaa', 'v2aaaaaaaaaa'])

    context.deployedAt = '2026-11-29T12:00:00.000Z'
    await fake.faults({ kind: 'unhealthy', template: '-v3aaaaaaaaaa$' })
    const failure = await applyActions(context, [action('update', 'users', 2, 'v3aaaaaaaaaa')], silentProgress).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(UserError)
    expect((failure as UserError).exitCode).toBe(1)
    expect((failure as UserError).message).toMatch(/^The rollout of users failed its health check \(0 of 2 new instance\(s\) healthy, 2 failing the health check.*rolled back to strato-shop-users-v2aaaaaaaaaa/)
    const after = (await inventory()).filter((resource) => resource.kind === 'instance' && resource.service === 'users')
    expect(after.map((resource) => [resource.version, resource.health])).toEqual([['v2aaaaaaaaaa', 'healthy'], ['v2aaaaaaaaaa', 'healthy']])
    // the version that never served is not left in the release history
    expect((await fake.state())['projects/acme-deploy/global/instanceTemplates']).not.toContain('strato-shop-users-v3aaaaaaaaaa')
  })

  it('keeps the release history in the templates and rolls back to an earlier one, health-gated', async () => {
    const history = releasesFrom((await readInventory(context.api, 'shop', 'gcp')).templates)
    expect(history.map((release) => [release.number, release.at, Object.fromEntries(Object.entries(release.services).map(([service, entry]) => [service, entry.version]))])).toEqual([
      [1, '2026-11-29T10:00:00.000Z', { orders: 'v1bbbbbbbbbb', users: 'v1aaaaaaaaaa' }],
      [2, '2026-11-29T11:00:00.000Z', { orders: 'v1bbbbbbbbbb', users: 'v2aaaaaaaaaa' }],
    ])
    const back = await rollbackTo(context, undefined, silentProgress)
    expect(back.release).toBe(1)
    expect((await inventory()).filter((resource) => resource.kind === 'instance' && resource.service === 'users').map((resource) => resource.version)).toEqual(['v1aaaaaaaaaa', 'v1aaaaaaaaaa'])
    await rollbackTo(context, '2', silentProgress)
    expect((await inventory()).filter((resource) => resource.kind === 'instance' && resource.service === 'users').map((resource) => resource.version)).toEqual(['v2aaaaaaaaaa', 'v2aaaaaaaaaa'])
  })

  it('applies the autoscaler; applying again changes nothing', async () => {
    const first = await applyAutoscaler(context, 'users', { min: 1, max: 4, target: { cpu: 60 }, cooldown: '90s' })
    expect(first).toEqual({ created: ['autoscaler strato-shop-users'], updated: [], deleted: [], unchanged: ['backend capacity strato-shop-users (UTILIZATION)'] })
    const again = await applyAutoscaler(context, 'users', { min: 1, max: 4, target: { cpu: 60 }, cooldown: '90s' })
    expect(again).toEqual({ created: [], updated: [], deleted: [], unchanged: ['autoscaler strato-shop-users', 'backend capacity strato-shop-users (UTILIZATION)'] })
    const changed = await applyAutoscaler(context, 'users', { min: 1, max: 4, target: { requests: 40 } })
    expect(changed).toEqual({ created: [], updated: ['autoscaler strato-shop-users', 'backend capacity strato-shop-users (RATE)'], deleted: [], unchanged: [] })
    await applyAutoscaler(context, 'users', { min: 1, max: 4, target: { cpu: 60 } })
  })

  it('scales within the bounds and deletes a service, keeping the balancer for the other', async () => {
    await applyActions(context, [action('scale', 'users', 3, 'v2aaaaaaaaaa')], silentProgress)
    expect((await inventory()).filter((resource) => resource.kind === 'instance' && resource.service === 'users')).toHaveLength(3)
    const outside = await applyActions(context, [action('scale', 'users', 9, 'v2aaaaaaaaaa')], silentProgress).catch((error: unknown) => error)
    expect((outside as UserError).exitCode).toBe(2)
    await applyActions(context, [action('delete', 'orders', 0, 'v1bbbbbbbbbb')], silentProgress)
    const state = await fake.state()
    expect(state['projects/acme-deploy/global/backendServices']).toEqual(['strato-shop-users'])
    expect(state['projects/acme-deploy/global/urlMaps']).toEqual(['strato-shop-gcp-http'])
  })

  it('destroys everything and proves nothing is left', async () => {
    const result = await destroyTarget(context, silentProgress)
    expect(result.remaining).toEqual([])
    expect(result.removed.group).toBe(1)
    expect(result.removed.secret).toBe(1)
    expect(await fake.state()).toEqual({})
  })
})

describe('gcp private services and workers against the fake', () => {
  const REGIONAL = `projects/${GCP_PROJECT}/regions/europe-west1`
  const GLOBAL = `projects/${GCP_PROJECT}/global`
  const shop = (loadBalancer?: 'network'): Manifest => ({
    name: 'shop',
    services: {
      users: { image: 'nginx:1.27', port: 8080, health: '/healthz', env: { DATABASE_URL: 'postgres://app@db:5432/shop' } },
      db: { image: 'postgres:16.4-bookworm', port: 5432, user: 'postgres' },
      cache: { image: 'redis:7.4', port: 6379 },
      mailer: { image: 'busybox:1.36', command: ['sleep', 'infinity'] },
    },
    targets: { gcp: { provider: 'gcp', project: GCP_PROJECT, zone: 'europe-west1-b', ...(loadBalancer ? { loadBalancer } : {}) } },
  } as Manifest)
  const on = (manifest: Manifest): DeploymentContext => ({ ...context, manifest, settings: settingsOf({ ...manifest.targets!.gcp, endpoint: fake.endpoint } as Parameters<typeof settingsOf>[0]) })
  const everything = ['users', 'db', 'cache', 'mailer'].map((service) => action('create', service, 1, `v1${service.padEnd(10, 'x')}`))
  const startupScript = async (service: string) => {
    // the template the service's group runs now
    const name = String((await fake.compute(`${REGIONAL}/instanceGroupManagers/strato-shop-${service}`)).versions[0].instanceTemplate).split('/').pop()
    const body = await fake.compute<{ properties: { metadata: { items: { key: string; value: string }[] } } }>(`${GLOBAL}/instanceTemplates/${name}`)
    return body.properties.metadata.items.find((item) => item.key === 'startup-script')!.value
  }

  it('puts db and cache on one internal address, the worker behind nothing, and every container knows where db and cache are', async () => {
    await fake.reset()
    const target = on(shop())
    const result = await applyActions(target, everything, silentProgress)
    const ip = /^(10\.132\.\d+\.\d+):5432 \(private\)$/.exec(result.endpoints.db)![1]
    expect(result.endpoints).toEqual({ users: expect.stringMatching(/^http:\/\/34\.120\.[\d.]+\/users\/$/), db: `${ip}:5432 (private)`, cache: `${ip}:6379 (private)` })
    const state = await fake.state()
    expect(state[`${REGIONAL}/addresses`]).toEqual(['strato-shop-gcp-internal'])
    expect(state[`${REGIONAL}/forwardingRules`]).toEqual(['strato-shop-cache', 'strato-shop-db'])
    expect(state[`${REGIONAL}/backendServices`]).toEqual(['strato-shop-cache', 'strato-shop-db'])
    expect(state[`${GLOBAL}/backendServices`]).toEqual(['strato-shop-users'])
    expect(state[`${GLOBAL}/firewalls`]).toEqual(['strato-shop-cache', 'strato-shop-db', 'strato-shop-users'])
    expect((await fake.compute(`${GLOBAL}/firewalls/strato-shop-cache`)).sourceRanges).toEqual(['10.132.0.0/20', '35.191.0.0/16', '130.211.0.0/22'])
    for (const service of ['users', 'db', 'cache', 'mailer']) expect(await startupScript(service)).toContain(`--add-host cache:${ip} --add-host db:${ip} `)
    const mailer = await fake.compute(`${REGIONAL}/instanceGroupManagers/strato-shop-mailer`)
    expect(mailer.autoHealingPolicies).toBeUndefined()
    expect(mailer.namedPorts).toBeUndefined()
    // private services were deployed first: the address and their balancer exist before any public template
    const inserts = (await fake.requests()).filter((request) => request.method === 'POST' && /\/(addresses|instanceTemplates)$/.test(request.path)).map((request) => request.path.split('/').pop())
    expect(inserts).toEqual(['addresses', 'instanceTemplates', 'instanceTemplates', 'instanceTemplates', 'instanceTemplates'])
    const order = (await fake.requests()).filter((request) => request.method === 'POST' && request.path.endsWith('/instanceTemplates')).map((request) => String((request.body as { name: string }).name))
    expect(order.map((name) => name.split('-')[2])).toEqual(['db', 'cache', 'users', 'mailer'])

    // the same plan again: nothing changes, the address stays
    const before = (await fake.requests()).length
    await applyActions(target, everything.map((entry) => action('noop', entry.service, 1, entry.toVersion!)), silentProgress)
    expect((await fake.requests()).slice(before).filter((request) => request.method !== 'GET' && !request.path.endsWith('/listManagedInstances'))).toEqual([])
  })

  it('autoscales a private service without giving it a backend on the HTTP balancer; requests are not counted for it', async () => {
    const target = on(shop())
    expect(await applyAutoscaler(target, 'db', { min: 1, max: 3, target: { cpu: 70 } })).toEqual({ created: ['autoscaler strato-shop-db'], updated: [], deleted: [], unchanged: [] })
    expect((await fake.state())[`${GLOBAL}/backendServices`]).toEqual(['strato-shop-users'])
    const refused = await applyAutoscaler(target, 'db', { min: 1, max: 3, target: { requests: 50 } }).catch((error: unknown) => error)
    expect((refused as UserError).exitCode).toBe(2)
    expect((refused as UserError).message).toMatch(/^services\.db\.autoscale\.target\.requests: db is not behind the HTTP balancer on gcp targets \(it is private\)/)
    // the balancer, put in line after the next change, still routes the public service alone
    await applyActions(target, everything.map((entry) => action('noop', entry.service, 1, entry.toVersion!)), silentProgress)
    const routes = (await fake.compute(`${GLOBAL}/urlMaps/strato-shop-gcp-http`)).pathMatchers[0].routeRules.map((rule: { matchRules: { prefixMatch: string }[] }) => rule.matchRules[0].prefixMatch)
    expect(routes).toEqual(['/users/'])
  })

  it('removes a private service\'s internal rule, and releases the address with the last one', async () => {
    const { db: _db, ...withoutDb } = shop().services
    await applyActions(on({ ...shop(), services: withoutDb }), [action('delete', 'db', 0, '')], silentProgress)
    let state = await fake.state()
    expect(state[`${REGIONAL}/forwardingRules`]).toEqual(['strato-shop-cache'])
    expect(state[`${REGIONAL}/addresses`]).toEqual(['strato-shop-gcp-internal'])
    const { cache: _cache, ...publicOnly } = withoutDb
    await applyActions(on({ ...shop(), services: publicOnly }), [action('delete', 'cache', 0, '')], silentProgress)
    state = await fake.state()
    expect(state[`${REGIONAL}/forwardingRules`]).toBeUndefined()
    expect(state[`${REGIONAL}/addresses`]).toBeUndefined()
    expect(state[`${GLOBAL}/urlMaps`]).toEqual(['strato-shop-gcp-http'])
    const result = await destroyTarget(on(shop()), silentProgress)
    expect(result.remaining).toEqual([])
    expect(await fake.state()).toEqual({})
  })

  it('keeps private services internal on a network-balancer target too, and destroy releases the address', async () => {
    await fake.reset()
    const target = on(shop('network'))
    const result = await applyActions(target, everything, silentProgress)
    expect(result.endpoints.users).toMatch(/^http:\/\/35\.205\.[\d.]+:8080$/)
    expect(result.endpoints.db).toMatch(/^10\.132\.[\d.]+:5432 \(private\)$/)
    expect((await fake.compute(`${REGIONAL}/forwardingRules/strato-shop-db`)).loadBalancingScheme).toBe('INTERNAL')
    expect((await fake.compute(`${REGIONAL}/forwardingRules/strato-shop-users`)).loadBalancingScheme).toBe('EXTERNAL')
    expect((await fake.compute(`${GLOBAL}/firewalls/strato-shop-users`)).sourceRanges).toEqual(['0.0.0.0/0'])
    expect((await fake.compute(`${GLOBAL}/firewalls/strato-shop-db`)).sourceRanges).toEqual(['10.132.0.0/20', '35.191.0.0/16', '130.211.0.0/22'])
    // a service deployed public behind its own external network balancer moves to the internal one when it turns private
    const mailerPublic = shop('network')
    mailerPublic.services.api = { image: 'nginx:1.27', port: 9000, health: '/' }
    await applyActions(on(mailerPublic), [action('create', 'api', 1, 'v1apixxxxxxx')], silentProgress)
    expect((await fake.compute(`${REGIONAL}/forwardingRules/strato-shop-api`)).loadBalancingScheme).toBe('EXTERNAL')
    const apiPrivate = shop('network')
    apiPrivate.services.api = { image: 'nginx:1.27', port: 9000, health: '/', expose: 'private' }
    await applyActions(on(apiPrivate), [action('update', 'api', 1, 'v1apixxxxxxx')], silentProgress)
    const moved = await fake.compute(`${REGIONAL}/forwardingRules/strato-shop-api`)
    expect(moved).toMatchObject({ loadBalancingScheme: 'INTERNAL', ports: ['9000'], IPAddress: (await fake.compute(`${REGIONAL}/forwardingRules/strato-shop-db`)).IPAddress })
    expect((await fake.compute(`${REGIONAL}/backendServices/strato-shop-api`)).loadBalancingScheme).toBe('INTERNAL')
    expect((await fake.compute(`${GLOBAL}/firewalls/strato-shop-api`)).sourceRanges).toEqual(['10.132.0.0/20', '35.191.0.0/16', '130.211.0.0/22'])
    const destroyed = await destroyTarget(on(apiPrivate), silentProgress)
    expect(destroyed.remaining).toEqual([])
    expect(destroyed.removed.network).toBe(1)
    expect(await fake.state()).toEqual({})
  })

  it('moves a service deployed as public behind the internal balancer when it turns private, same version (plan sees the drift)', async () => {
    await fake.reset()
    const before = shop()
    before.services.db = { ...before.services.db, expose: 'public', health: '/' }
    delete before.services.cache
    delete before.services.mailer
    const versions = [action('create', 'users', 1, 'v1usersxxxxx'), action('create', 'db', 1, 'v1dbxxxxxxxx')]
    await applyActions(on(before), versions, silentProgress)
    expect((await fake.state())[`${GLOBAL}/backendServices`]).toEqual(['strato-shop-db', 'strato-shop-users'])

    const after = shop()
    delete after.services.cache
    delete after.services.mailer
    const found = privateDrift(toResources(await readInventory(context.api, 'shop', 'gcp'), 'gcp', 'europe-west1'), ['db'])
    expect(found.find((resource) => resource.kind === 'group' && resource.service === 'db')?.drift).toEqual(['private: moves to the internal balancer', "containers' hosts: db (were none)"])
    expect(found.find((resource) => resource.kind === 'group' && resource.service === 'users')?.drift).toEqual(["containers' hosts: db (were none)"])
    await applyActions(on(after), [action('update', 'users', 1, 'v1usersxxxxx'), action('update', 'db', 1, 'v1dbxxxxxxxx')], silentProgress)
    const state = await fake.state()
    expect(state[`${GLOBAL}/backendServices`]).toEqual(['strato-shop-users'])
    expect(state[`${GLOBAL}/healthChecks`]).toEqual(['strato-shop-users'])
    expect(state[`${REGIONAL}/forwardingRules`]).toEqual(['strato-shop-db'])
    const routes = (await fake.compute(`${GLOBAL}/urlMaps/strato-shop-gcp-http`)).pathMatchers[0].routeRules.map((rule: { matchRules: { prefixMatch: string }[] }) => rule.matchRules[0].prefixMatch)
    expect(routes).toEqual(['/users/'])
    expect((await fake.compute(`${REGIONAL}/instanceGroupManagers/strato-shop-db`)).autoHealingPolicies[0].healthCheck).toMatch(/\/regions\/europe-west1\/healthChecks\/strato-shop-db$/)
    expect((await fake.compute(`${GLOBAL}/firewalls/strato-shop-db`)).sourceRanges).toEqual(['10.132.0.0/20', '35.191.0.0/16', '130.211.0.0/22'])
    // the same version, a new template that knows where db is: rolled out, then nothing left to change
    const users = await fake.compute(`${REGIONAL}/instanceGroupManagers/strato-shop-users`)
    expect(users.versions[0].instanceTemplate).toMatch(/\/strato-shop-users-v1usersxxxxx-[0-9a-f]{6}$/)
    expect(await startupScript('users')).toMatch(/--add-host db:10\.132\.\d+\.\d+ /)
    expect(privateDrift(toResources(await readInventory(context.api, 'shop', 'gcp'), 'gcp', 'europe-west1'), ['db']).some((resource) => resource.drift)).toBe(false)

    // and back: public again, off the internal balancer, the address released
    await applyActions(on(before), [action('update', 'users', 1, 'v1usersxxxxx'), action('update', 'db', 1, 'v1dbxxxxxxxx')], silentProgress)
    const back = await fake.state()
    expect(back[`${GLOBAL}/backendServices`]).toEqual(['strato-shop-db', 'strato-shop-users'])
    expect(back[`${REGIONAL}/forwardingRules`]).toBeUndefined()
    expect(back[`${REGIONAL}/backendServices`]).toBeUndefined()
    expect(back[`${REGIONAL}/healthChecks`]).toBeUndefined()
    expect(back[`${REGIONAL}/addresses`]).toBeUndefined()
    expect((await destroyTarget(on(after), silentProgress)).remaining).toEqual([])
  })

  it('refuses two private services on one port before creating anything', async () => {
    await fake.reset()
    const manifest = shop()
    manifest.services.replica = { image: 'postgres:16.4-bookworm', port: 5432 }
    const refused = await applyActions(on(manifest), everything, silentProgress).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(UserError)
    expect((refused as UserError).exitCode).toBe(7)
    expect(await fake.state()).toEqual({})
  })
})
