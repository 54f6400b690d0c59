/**
 * The azure provider against the fake, in process, through the same path the
 * commands take (plan with the core, then apply): create with its network
 * and vault, a no-op redeploy, scale within the autoscale bounds, an update,
 * a version that never turns healthy rolled back while the old VMs keep
 * serving, releases and rollback, autoscale settings, metrics, spend, facts
 * and a destroy that leaves nothing tagged. Its database is private: on the
 * internal load balancer only, reached by name from the other services.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAzureFake, type AzureFake } from '../fakes/azure/server.ts'
import { AzureProvider } from '../../providers/azure/index.js'
import { UserError } from '../../src/errors.js'
import { effectiveTargets } from '../../src/manifest/defaults.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { silentProgress, type Resource } from '../../src/model.js'
import { planProject, serviceVersions } from '../../src/planning/project-plan.js'
import { staticCredential } from '../helpers/azure-http.js'
import { networkView } from '../helpers/azure-private-view.js'

let fake: AzureFake
let image = 'registry.example/users:1.0.0'
let withDb = true
let dbPublic = false
const secretValue = ['s', 'e', 'c', 'r', 'e', 't', Date.now()].join('')

function manifest(): Manifest {
  return {
    name: 'shop',
    services: {
      users: { image, port: 8080, health: '/healthz', replicas: 2, secrets: ['DB_PASSWORD'], env: { LOG_LEVEL: 'info', DATABASE_URL: 'postgres://app@db:5432/shop' }, autoscale: { min: 2, max: 4, target: { cpu: 60 } } },
      orders: { image: 'registry.example/orders:1.0.0', port: 8080, health: '/healthz', replicas: 1 },
      ...(withDb ? { db: { image: 'registry.example/postgres:16', port: 5432, replicas: 1, ...(dbPublic ? { health: '/ready' } : {}) } } : {}),
      mailer: { image: 'registry.example/mailer:1.0.0', replicas: 1 },
    },
    targets: { azure: { provider: 'azure', location: 'westeurope', vmSize: 'Standard_B2s', subscription: fake.subscriptionId, endpoint: fake.endpoint } },
  } as Manifest
}

function open(healthTimeoutMs = 2000): AzureProvider {
  const current = manifest()
  return new AzureProvider(
    { manifest: current, targetName: 'azure', target: current.targets!.azure, projectDir: process.cwd(), env: { DB_PASSWORD: secretValue }, progress: silentProgress },
    { credential: staticCredential(() => fake.token()), tlsCa: fake.ca, timing: { healthTimeoutMs, pollMs: 5, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), now: () => Date.now() } },
  )
}

async function plan(provider: AzureProvider) {
  const current = manifest()
  const inventory = await provider.inventory('shop')
  return planProject(current, effectiveTargets(current), ['azure'], serviceVersions(current, process.cwd()), { azure: inventory }).actions
}

const replicas = (inventory: Resource[], service: string) => inventory.filter((resource) => resource.kind === 'instance' && resource.service === service && resource.state === 'running')

beforeAll(async () => { fake = await startAzureFake() })
afterAll(async () => { await fake?.close() })

describe('the azure provider against the fake', () => {
  const versions: string[] = []

  it('deploys two public services behind one load balancer and a private one behind the internal balancer, with the secret in Key Vault and never in custom data', async () => {
    const provider = open()
    expect((await provider.inventory('shop')).filter((resource) => resource.kind !== 'host')).toEqual([])
    const actions = await plan(provider)
    expect(actions.map((action) => [action.service, action.kind, action.to])).toEqual(expect.arrayContaining([['users', 'create', 2], ['orders', 'create', 1], ['db', 'create', 1], ['mailer', 'create', 1]]))
    const result = await provider.apply(actions, silentProgress)
    versions.push(actions.find((action) => action.service === 'users')!.toVersion!)
    expect(result.endpoints.orders).toMatch(/^http:\/\/203\.0\.\d+\.\d+$/)
    expect(result.endpoints.users).toMatch(/^http:\/\/203\.0\.\d+\.\d+:8081$/)
    expect(result.endpoints.db).toBe('10.42.15.254:5432 (private)')
    const inventory = await provider.inventory('shop')
    expect(replicas(inventory, 'users')).toHaveLength(2)
    expect(replicas(inventory, 'orders')).toHaveLength(1)
    expect(inventory.find((resource) => resource.kind === 'group' && resource.service === 'users')?.endpoint).toBe(result.endpoints.users)
    const state = await fake.control<{ resources: { id: string; type: string }[]; secrets: string[] }>('GET', '/state')
    expect(state.resources.map((resource) => resource.type).sort()).toEqual(expect.arrayContaining([
      'Microsoft.Resources/resourceGroups', 'Microsoft.Network/virtualNetworks', 'Microsoft.Network/networkSecurityGroups', 'Microsoft.Network/publicIPAddresses',
      'Microsoft.Network/loadBalancers', 'Microsoft.KeyVault/vaults', 'Microsoft.Compute/virtualMachineScaleSets', 'Microsoft.Authorization/roleAssignments',
    ]))
    expect(state.secrets).toHaveLength(1)
    expect(fake.state.secretValues.get(state.secrets[0])).toBe(secretValue)
    for (const [, set] of fake.state.scaleSets) for (const [, model] of set.models) expect(model.customData).not.toContain(secretValue)
    expect(inventory.find((resource) => resource.kind === 'group' && resource.service === 'db')?.endpoint).toBe('10.42.15.254:5432 (private)')
  })

  it('keeps the database off the public balancer: its own internal frontend, NSG and name in the others\' boot scripts', () => {
    const view = networkView(fake, 'strato-shop-azure', 'shop')
    expect(view.publicRules.sort()).toEqual(['orders-http', 'users-http'])
    expect(view.publicProbes.sort()).toEqual(['orders-health', 'users-health'])
    expect(view.internalRules).toEqual([{ name: 'db-tcp', frontendPort: 5432, backendPort: 5432 }])
    expect(view.internalFrontends).toEqual([{ name: 'db-private', address: '10.42.15.254', allocation: 'Static', subnet: expect.stringMatching(/\/virtualNetworks\/strato-shop-vnet\/subnets\/services$/) }])
    expect(view.nsgOf).toEqual({ users: 'strato-shop-nsg', orders: 'strato-shop-nsg', db: 'strato-shop-private-nsg', mailer: 'strato-shop-nsg' })
    expect(view.nsgRules['strato-shop-private-nsg']).toEqual([['allow-network-5432', 'VirtualNetwork', '5432'], ['allow-probe-5432', 'AzureLoadBalancer', '5432']])
    expect(Object.values(view.nsgRules).flat().filter(([, source]) => source === 'Internet').map(([, , port]) => port)).toEqual(['8080'])
    expect(view.scriptOf.users).toContain(' --add-host db:10.42.15.254 ')
    expect(view.scriptOf.orders).toContain(' --add-host db:10.42.15.254 ')
    expect(view.scriptOf.db).not.toContain('--add-host')
    // the worker has no port: no rule anywhere, no endpoint, but it reaches the database by name
    expect(view.scriptOf.mailer).toContain(' --add-host db:10.42.15.254 ')
    expect(view.scriptOf.mailer).not.toContain('--publish')
  })

  it('changes nothing on a second deploy', async () => {
    const provider = open()
    const writes = () => fake.state.log.filter((call) => call.method !== 'GET').length
    const before = writes()
    const actions = await plan(provider)
    expect(actions.map((action) => action.kind)).toEqual(['noop', 'noop', 'noop', 'noop'])
    expect((await provider.apply(actions, silentProgress)).applied).toEqual([])
    expect(writes()).toBe(before)
  })

  it('scales within the autoscale bounds and refuses outside them (exit 2)', async () => {
    const provider = open()
    await provider.scale('users', 3)
    expect(replicas(await provider.inventory('shop'), 'users')).toHaveLength(3)
    const error = await provider.scale('users', 9).then(() => undefined, (caught: unknown) => caught as UserError)
    expect(error?.exitCode).toBe(2)
    await provider.scale('users', 2)
  })

  it('updates to a new version: every VM replaced, the count kept', async () => {
    image = 'registry.example/users:1.1.0'
    const provider = open()
    const actions = await plan(provider)
    const update = actions.find((action) => action.service === 'users')!
    expect(update.kind).toBe('update')
    await provider.apply(actions, silentProgress)
    const running = replicas(await provider.inventory('shop'), 'users')
    expect(running).toHaveLength(2)
    expect(new Set(running.map((replica) => replica.version))).toEqual(new Set([update.toVersion]))
    versions.push(update.toVersion!)
  })

  it('rolls back a version that never turns healthy; the old VMs are the ones serving', async () => {
    const before = replicas(await open().inventory('shop'), 'users').map((replica) => replica.id).sort()
    image = 'registry.example/users:broken'
    const provider = open(300)
    await fake.control('POST', '/faults', { kind: 'unhealthy', contains: image })
    try {
      const error = await provider.apply(await plan(provider), silentProgress).then(() => undefined, (caught: unknown) => caught as UserError)
      expect(error).toBeInstanceOf(UserError)
      expect(error?.exitCode).toBe(1)
      expect(error?.message).toContain('rolled back')
      const running = replicas(await provider.inventory('shop'), 'users')
      expect(running.map((replica) => replica.id).sort()).toEqual(before)
      expect(new Set(running.map((replica) => replica.version))).toEqual(new Set([versions.at(-1)]))
      expect(running.every((replica) => replica.health === 'healthy')).toBe(true)
    } finally {
      await fake.control('DELETE', '/faults')
      image = 'registry.example/users:1.1.0'
    }
  })

  it('lists releases and rolls back to the previous one through the same rollout', async () => {
    const provider = open()
    const history = await provider.releases()
    expect(history.map((release) => release.services.users.version).slice(-2)).toEqual(versions.slice(-2))
    const result = await provider.rollback(undefined)
    expect(result.release).toBe(history.at(-1)!.number + 1)
    const running = replicas(await provider.inventory('shop'), 'users')
    expect(new Set(running.map((replica) => replica.version))).toEqual(new Set([versions.at(-2)]))
    expect((await provider.releases()).at(-1)!.kind).toBe(`rollback to ${history.at(-2)!.number}`)
  })

  it('applies autoscaling once, then changes nothing', async () => {
    const provider = open()
    const policy = manifest().services.users.autoscale!
    const first = await provider.applyAutoscaling('users', policy)
    expect(first.created.length).toBeGreaterThan(0)
    const again = await provider.applyAutoscaling('users', policy)
    expect({ created: again.created, updated: again.updated, deleted: again.deleted }).toEqual({ created: [], updated: [], deleted: [] })
  })

  it('reads metrics, spend and facts', async () => {
    const provider = open()
    expect((await provider.metrics('users', 600)).length).toBeGreaterThan(0)
    await fake.control('POST', '/costs', { records: [{ date: '2026-11-01', cost: 4, currency: 'USD', tags: { 'strato.project': 'shop', 'strato.service': 'users' } }] })
    expect(await provider.costs({ start: '2026-11-01', end: '2026-11-02', granularity: 'daily' })).toMatchObject([{ service: 'users', amount: 4 }])
    const facts = await provider.facts()
    expect(facts.map((fact) => fact.kind)).toEqual(expect.arrayContaining(['azure.nsgRule', 'azure.vm']))
  })

  it('removes the database: its scale set, then the internal balancer and the private NSG', async () => {
    withDb = false
    try {
      const provider = open()
      const actions = await plan(provider)
      expect(actions.filter((action) => action.kind === 'delete').map((action) => action.service)).toEqual(['db'])
      // the others' containers lose the name: plan says so and deploy rolls the same version out without it
      expect(actions.find((action) => action.service === 'mailer')).toMatchObject({ kind: 'update', reasons: ["containers' hosts: none (were db)"] })
      const result = await provider.apply(actions, silentProgress)
      expect(networkView(fake, 'strato-shop-azure', 'shop').scriptOf.mailer).not.toContain('--add-host')
      expect(result.endpoints.db).toBeUndefined()
      const view = networkView(fake, 'strato-shop-azure', 'shop')
      expect(view.internalFrontends).toEqual([])
      expect(Object.keys(view.nsgRules)).toEqual(['strato-shop-nsg'])
      expect(fake.state.get(`/subscriptions/${fake.subscriptionId}/resourceGroups/strato-shop-azure/providers/Microsoft.Network/loadBalancers/strato-shop-ilb`)).toBeUndefined()
    } finally {
      withDb = true
    }
  })

  it('brings the database back on the same internal address', async () => {
    const provider = open()
    const result = await provider.apply(await plan(provider), silentProgress)
    expect(result.endpoints.db).toBe('10.42.15.254:5432 (private)')
    expect(networkView(fake, 'strato-shop-azure', 'shop').internalRules).toEqual([{ name: 'db-tcp', frontendPort: 5432, backendPort: 5432 }])
    expect(networkView(fake, 'strato-shop-azure', 'shop').scriptOf.mailer).toContain(' --add-host db:10.42.15.254 ')
    expect((await plan(open())).map((action) => action.kind)).toEqual(['noop', 'noop', 'noop', 'noop'])
  })

  it('moves a service that turns public to the public balancer, and back, without dropping a pool its VMs are in', async () => {
    dbPublic = true
    try {
      const provider = open()
      const result = await provider.apply(await plan(provider), silentProgress)
      expect(result.endpoints.db).toMatch(/^http:\/\/203\.0\.\d+\.\d+:\d+$/)
      const view = networkView(fake, 'strato-shop-azure', 'shop')
      expect(view.publicRules).toContain('db-http')
      expect(view.nsgOf.db).toBe('strato-shop-nsg')
      expect(view.internalFrontends).toEqual([])
      expect(Object.keys(view.nsgRules)).toEqual(['strato-shop-nsg'])
    } finally {
      dbPublic = false
    }
    const provider = open()
    expect((await provider.apply(await plan(provider), silentProgress)).endpoints.db).toBe('10.42.15.254:5432 (private)')
    const view = networkView(fake, 'strato-shop-azure', 'shop')
    expect(view.publicRules).not.toContain('db-http')
    expect(view.internalRules).toEqual([{ name: 'db-tcp', frontendPort: 5432, backendPort: 5432 }])
    expect(view.nsgOf.db).toBe('strato-shop-private-nsg')
  })

  it('destroys everything tagged and proves it', async () => {
    const provider = open()
    const result = await provider.destroy()
    expect(result.remaining).toEqual([])
    expect(result.removed).toMatchObject({ 'scale set': 4, 'load balancer': 1, 'internal load balancer': 1, 'network security group': 2, 'key vault': 1, 'resource group': 1 })
    expect((await provider.inventory('shop')).filter((resource) => resource.state !== 'stopped')).toEqual([])
    const state = await fake.control<{ resources: unknown[]; deletedVaults: string[] }>('GET', '/state')
    expect(state.resources).toEqual([])
    expect(state.deletedVaults).toEqual([])
  })
})
