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
