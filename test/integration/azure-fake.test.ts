/**
 * The Azure fake on its own and with the provider's clients: started from
 * the command line, the real DefaultAzureCredential against its identity
 * endpoints, and each injectable fault as the provider sees it (refused
 * credentials, a missing role, throttling with Retry-After, 5xx, a failed
 * long-running operation, a model whose VMs stay unhealthy, an endpoint
 * that is gone), plus cost paging with tag filters and autoscale settings,
 * and internal load balancer frontends: private addresses in a subnet, and
 * the conflicts Azure refuses.
 */
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { controlRequest, startAzureFake, type AzureFake } from '../fakes/azure/server.ts'
import { applyAutoscaleSetting, autoscaleBounds } from '../../providers/azure/autoscale.js'
import { compileAutoscale } from '../../providers/azure/autoscaling-compile.js'
import { createClients, type AzureClients } from '../../providers/azure/clients.js'
import { actualCosts } from '../../providers/azure/cost-management.js'
import { defaultCredential, identifyCredential } from '../../providers/azure/credentials.js'
import { AzureRequestError } from '../../providers/azure/errors.js'
import { readScaleSets, scaleSetResources } from '../../providers/azure/inventory.js'
import { cpuSamples } from '../../providers/azure/metrics.js'
import { UserError } from '../../src/errors.js'
import { staticCredential } from '../helpers/azure-http.js'

const root = path.resolve(import.meta.dirname, '../..')
const GROUP = 'strato-shop-azure'
let fake: AzureFake

function clientsFor(running: AzureFake, extra: { maxRetries?: number } = {}): AzureClients {
  return createClients({
    credential: staticCredential(() => running.token()), subscriptionId: running.subscriptionId, targetName: 'azure',
    endpoint: running.endpoint, tlsCa: running.ca, maxRetries: extra.maxRetries ?? 2, retryDelayMs: 1, pollIntervalMs: 1,
  })
}

async function rejection(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  if (!(error instanceof UserError)) throw new Error(`expected a UserError, got ${String(error)}`)
  return error
}

/** A resource group, a subnet and a scale set whose VMs carry the health extension and custom data. */
async function scaleSet(clients: AzureClients, name: string, customData: string, capacity = 2) {
  const resources = await clients.resources()
  await resources.resourceGroups.createOrUpdate(GROUP, { location: 'westeurope', tags: { 'strato.project': 'shop' } })
  const network = await clients.network()
  const vnet = await network.virtualNetworks.createOrUpdate(GROUP, 'vnet', { location: 'westeurope', addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'services', addressPrefix: '10.0.0.0/24' }] }, clients.lro)
  const compute = await clients.compute()
  return compute.virtualMachineScaleSets.createOrUpdate(GROUP, name, {
    location: 'westeurope', tags: { 'strato.project': 'shop', 'strato.service': name, 'strato.version': 'v1' },
    sku: { name: 'Standard_B2s', capacity }, upgradePolicy: { mode: 'Manual' }, identity: { type: 'SystemAssigned' },
    virtualMachineProfile: {
      osProfile: { computerNamePrefix: name.slice(0, 6), adminUsername: 'strato', customData: Buffer.from(customData).toString('base64') },
      networkProfile: { networkInterfaceConfigurations: [{ name: 'nic', primary: true, ipConfigurations: [{ name: 'ip', subnet: { id: vnet.subnets![0].id } }] }] },
      extensionProfile: { extensions: [{ name: 'health', publisher: 'Microsoft.ManagedServices', typePropertiesType: 'ApplicationHealthLinux', typeHandlerVersion: '2.0', settings: { protocol: 'http', port: 8080, requestPath: '/healthz' } }] },
    },
  }, clients.lro)
}

beforeAll(async () => { fake = await startAzureFake() })
afterAll(async () => { await fake?.close() })
beforeEach(async () => { await fake.control('POST', '/reset') })

describe('the fake from the command line', () => {
  it('`npm run fake -- azure` prints one JSON line with the endpoint and the CA file, then serves until stopped', async () => {
    const child = execa(process.execPath, [path.join(root, 'scripts/fake.mjs'), 'azure'], { cwd: root, reject: false, stdin: 'ignore' })
    const line = await new Promise<string>((resolve, reject) => {
      let buffer = ''
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString()
        if (buffer.includes('\n')) resolve(buffer.split('\n')[0])
      })
      void child.then(() => reject(new Error(`the fake exited: ${buffer}`)))
    })
    const printed = JSON.parse(line) as { endpoint: string; caFile: string }
    expect(Object.keys(printed).sort()).toEqual(['caFile', 'endpoint'])
    expect(printed.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const { readFileSync } = await import('node:fs')
    expect(await controlRequest(printed.endpoint, readFileSync(printed.caFile, 'utf8'), 'GET', '/health')).toEqual({ ok: true })
    child.kill('SIGTERM')
    const result = await child
    expect(result.stdout.trim().split('\n')).toHaveLength(1)
  })
})

describe('DefaultAzureCredential against the fake identity endpoints', () => {
  const keys = ['AZURE_AUTHORITY_HOST', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] as const
  let saved: Record<string, string | undefined>
  beforeEach(() => {
    saved = Object.fromEntries(keys.map((key) => [key, process.env[key]]))
    Object.assign(process.env, { AZURE_AUTHORITY_HOST: fake.endpoint, AZURE_TENANT_ID: fake.tenantId, AZURE_CLIENT_ID: 'strato-ci', AZURE_CLIENT_SECRET: ['not', 'a', 'real', 'one'].join('-') })
  })
  const restore = () => { for (const key of keys) { if (saved[key] === undefined) delete process.env[key]; else process.env[key] = saved[key] } }

  it('runs the environment credential through MSAL: OpenID configuration, then the token endpoint, then ARM with the token', async () => {
    try {
      const credential = await defaultCredential(process.env, fake.ca)
      expect((await identifyCredential(credential)).source).toContain('environment')
      const clients = createClients({ credential, subscriptionId: fake.subscriptionId, targetName: 'azure', endpoint: fake.endpoint, tlsCa: fake.ca, maxRetries: 0 })
      const resources = await clients.resources()
      await resources.resourceGroups.createOrUpdate('rg', { location: 'westeurope' })
      const calls = fake.state.log.map((call) => `${call.method} ${call.path.replace(fake.tenantId, '{tenant}')} ${call.status}`)
      expect(calls).toContain('GET /{tenant}/v2.0/.well-known/openid-configuration 200')
      expect(calls).toContain('POST /{tenant}/oauth2/v2.0/token 200')
      expect(calls.at(-1)).toMatch(/^PUT \/subscriptions\/.*\/resourcegroups\/rg 201$/)
    } finally {
      restore()
    }
  })

  it('turns a refused client secret into exit 5 naming the variables to check', async () => {
    try {
      await fake.control('POST', '/faults', { kind: 'refuseCredentials' })
      const credential = await defaultCredential(process.env, fake.ca)
      const clients = createClients({ credential, subscriptionId: fake.subscriptionId, targetName: 'azure', endpoint: fake.endpoint, authorityHost: fake.endpoint, tlsCa: fake.ca, maxRetries: 0 })
      const error = await rejection((await clients.resources()).resourceGroups.get('rg'))
      expect(error.exitCode).toBe(5)
      expect(error.message).toContain('Azure refused the credentials')
      expect(error.fix).toContain('AZURE_CLIENT_SECRET')
    } finally {
      restore()
    }
  })
})

describe('faults as the provider sees them', () => {
  it('a missing role is exit 5 naming the action and a role that grants it', async () => {
    const clients = clientsFor(fake)
    await fake.control('POST', '/faults', { kind: 'deny', action: 'Microsoft.Compute/virtualMachineScaleSets/write' })
    const error = await rejection(scaleSet(clients, 'users', 'x'))
    expect(error).toBeInstanceOf(AzureRequestError)
    expect(error.exitCode).toBe(5)
    expect((error as AzureRequestError).action).toBe('Microsoft.Compute/virtualMachineScaleSets/write')
    expect(error.message).toContain('Permission denied: Microsoft.Compute/virtualMachineScaleSets/write')
    expect(error.fix).toContain('Contributor')
  })

  it('throttling with Retry-After is waited out and retried; throttling beyond the retries is exit 1', async () => {
    const clients = clientsFor(fake)
    await fake.control('POST', '/faults', { kind: 'throttle', method: 'PUT', path: '/resourcegroups/', retryAfter: 1, times: 1 })
    const started = Date.now()
    await (await clients.resources()).resourceGroups.createOrUpdate(GROUP, { location: 'westeurope' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(fake.state.log.filter((call) => call.method === 'PUT').map((call) => call.status)).toEqual([429, 201])

    await fake.control('POST', '/faults', { kind: 'throttle', method: 'GET', path: '/resourcegroups/', retryAfter: 0, times: 5 })
    const error = await rejection((await clients.resources()).resourceGroups.get(GROUP))
    expect(error.exitCode).toBe(1)
    expect(error.message).toContain('kept throttling')
    expect(fake.state.log.filter((call) => call.method === 'GET' && call.status === 429)).toHaveLength(3)
  })

  it('5xx answers are retried, bounded', async () => {
    const clients = clientsFor(fake)
    await fake.control('POST', '/faults', { kind: 'serverError', status: 503, path: '/resourcegroups/', times: 2 })
    await (await clients.resources()).resourceGroups.createOrUpdate(GROUP, { location: 'westeurope' })
    await fake.control('POST', '/faults', { kind: 'serverError', status: 500, path: '/resourcegroups/', times: 10 })
    const error = await rejection((await clients.resources()).resourceGroups.get(GROUP))
    expect(error.message).toContain('answered 500')
  })

  it('a failed long-running operation rejects the call and leaves the scale set Failed', async () => {
    const clients = clientsFor(fake)
    await fake.control('POST', '/faults', { kind: 'failLro', method: 'PUT', path: 'virtualMachineScaleSets', code: 'AllocationFailed' })
    const error = await scaleSet(clients, 'users', 'x').then(() => undefined, (caught: unknown) => caught as Error)
    expect(error).toBeDefined()
    const compute = await clients.compute()
    expect((await compute.virtualMachineScaleSets.get(GROUP, 'users')).provisioningState).toBe('Failed')
  })

  it('VMs of a model whose custom data holds the unhealthy marker never turn healthy; others do', async () => {
    const clients = clientsFor(fake)
    await fake.control('POST', '/faults', { kind: 'unhealthy', contains: 'registry.example/users:broken' })
    await scaleSet(clients, 'users', 'docker run registry.example/users:broken')
    await scaleSet(clients, 'orders', 'docker run registry.example/orders:1.0')
    const resources = scaleSetResources(await readScaleSets(clients, GROUP, 'shop'), 'azure', 'westeurope')
    const health = (service: string) => resources.filter((resource) => resource.kind === 'instance' && resource.service === service).map((resource) => resource.health)
    expect(health('users')).toEqual(['unhealthy', 'unhealthy'])
    expect(health('orders')).toEqual(['healthy', 'healthy'])
  })

  it('an endpoint that does not answer is exit 4', async () => {
    const gone = await startAzureFake()
    const clients = clientsFor(gone, { maxRetries: 0 })
    const token = gone.token()
    await gone.close()
    const stale = createClients({ credential: staticCredential(() => token), subscriptionId: gone.subscriptionId, targetName: 'azure', endpoint: gone.endpoint, tlsCa: gone.ca, maxRetries: 1, retryDelayMs: 1 })
    for (const candidate of [clients, stale]) {
      const error = await rejection((await candidate.resources()).resourceGroups.get(GROUP))
      expect(error.exitCode).toBe(4)
      expect(error.fix).toContain('targets.azure.endpoint')
    }
  })
})

describe('cost queries, metrics and autoscale settings through the provider', () => {
  it('follows nextLink across pages, keeps the project\'s rows only, groups by service and retries a throttled page', async () => {
    const clients = clientsFor(fake)
    const days = Array.from({ length: 10 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`)
    const records = days.flatMap((date) => [
      { date, cost: 2, currency: 'EUR', tags: { 'strato.project': 'shop', 'strato.service': 'users' } },
      { date, cost: 3, currency: 'EUR', tags: { 'strato.project': 'shop', 'strato.service': 'orders' } },
      { date, cost: 100, currency: 'EUR', tags: { 'strato.project': 'other', 'strato.service': 'users' } },
    ])
    await fake.control('POST', '/costs', { records })
    await fake.control('POST', '/options', { costPageSize: 6 })
    await fake.control('POST', '/faults', { kind: 'throttle', method: 'POST', path: 'CostManagement', retryAfter: 1, times: 1 })
    try {
      const lines = await actualCosts(clients, 'shop', { start: '2026-11-01', end: '2026-11-30', granularity: 'daily' }, 'azure')
      expect(lines).toHaveLength(20)
      expect(lines.filter((line) => line.service === 'users').reduce((sum, line) => sum + line.amount, 0)).toBe(20)
      expect(lines.filter((line) => line.service === 'orders').reduce((sum, line) => sum + line.amount, 0)).toBe(30)
      expect(lines[0]).toMatchObject({ provider: 'azure', currency: 'EUR', source: 'azure cost management' })
      const queries = fake.state.log.filter((call) => call.path.endsWith('/query')).map((call) => call.status)
      expect(queries).toEqual([429, 200, 200, 200, 200])
      const monthly = await actualCosts(clients, 'shop', { start: '2026-11-01', end: '2026-11-30', granularity: 'monthly' }, 'azure')
      expect(monthly.map((line) => [line.service, line.date, line.amount]).sort()).toEqual([['orders', '2026-11-01', 30], ['users', '2026-11-01', 20]])
    } finally {
      await fake.control('POST', '/options', { costPageSize: 1000 })
    }
  })

  it('reads Percentage CPU of a scale set', async () => {
    const clients = clientsFor(fake)
    const set = await scaleSet(clients, 'users', 'x')
    await fake.control('POST', '/cpu', { resourceId: set.id, value: 73 })
    const samples = await cpuSamples(clients, set.id!, 600, new Date())
    expect(samples.length).toBeGreaterThanOrEqual(9)
    expect(samples.every((sample) => sample.metric === 'cpu' && sample.value === 73)).toBe(true)
  })

  it('applies an autoscale setting once, changes nothing the second time, removes dropped rules, and the engine keeps capacity in bounds', async () => {
    const clients = clientsFor(fake)
    const set = await scaleSet(clients, 'users', 'x', 1)
    const context = { service: 'users', location: 'westeurope', targetResourceUri: set.id!, name: 'users-autoscale', tags: { 'strato.project': 'shop' } }
    const full = compileAutoscale({ min: 2, max: 5, target: { cpu: 60 }, steps: [{ metric: 'cpu', above: 90, change: 2 }] }, context)
    const first = await applyAutoscaleSetting(clients, GROUP, 'users-autoscale', full)
    expect(first.created).toHaveLength(4)
    expect(first.updated).toEqual([])
    const second = await applyAutoscaleSetting(clients, GROUP, 'users-autoscale', full)
    expect(second).toMatchObject({ created: [], updated: [], deleted: [] })
    expect(second.unchanged).toHaveLength(4)
    expect(fake.state.log.filter((call) => call.method === 'PUT' && call.path.includes('autoscalesettings'))).toHaveLength(1)
    const third = await applyAutoscaleSetting(clients, GROUP, 'users-autoscale', compileAutoscale({ min: 2, max: 5, target: { cpu: 60 } }, context))
    expect(third.deleted).toEqual(['default: Percentage CPU > 90 over PT5M: +2'])
    expect(await autoscaleBounds(clients, GROUP, 'users-autoscale')).toEqual({ min: 2, max: 5 })
    expect((await (await clients.compute()).virtualMachineScaleSets.get(GROUP, 'users')).sku?.capacity).toBe(2)
  })
})

describe('doctor, live, against the fake', () => {
  it('names the credential the chain found, the subscription, and unregistered resource providers', async () => {
    const { diagnoseLive } = await import('../../providers/azure/doctor.js')
    const target = { provider: 'azure' as const, location: 'westeurope', subscription: fake.subscriptionId, endpoint: fake.endpoint }
    const env = { AZURE_AUTHORITY_HOST: fake.endpoint, AZURE_TENANT_ID: fake.tenantId, AZURE_CLIENT_ID: 'strato-ci', AZURE_CLIENT_SECRET: ['doctor', 'check'].join('-') }
    const saved = { ...process.env }
    Object.assign(process.env, env)
    try {
      await fake.control('POST', '/faults', { kind: 'unregistered', namespace: 'Microsoft.Insights' })
      const checks = await diagnoseLive('azure', target, process.env, { tlsCa: fake.ca })
      expect(checks.map((check) => [check.name, check.status])).toEqual([['azure credentials', 'ok'], ['azure subscription', 'ok'], ['azure resource providers', 'fail']])
      expect(checks[0].detail).toContain('environment')
      expect(checks[1].detail).toContain(fake.subscriptionId)
      expect(checks[2].fix).toBe('az provider register --namespace Microsoft.Insights')
      await fake.control('POST', '/faults', { kind: 'refuseCredentials' })
      const refused = await diagnoseLive('azure', target, process.env, { tlsCa: fake.ca })
      expect(refused).toMatchObject([{ name: 'azure credentials', status: 'fail' }])
      expect(refused[0].fix).toContain('AZURE_CLIENT_SECRET')
    } finally {
      for (const key of Object.keys(env)) { if (saved[key] === undefined) delete process.env[key]; else process.env[key] = saved[key] }
    }
  })
})

describe('internal load balancer frontends, as Resource Manager answers them', () => {
  const subnetOf = async (clients: AzureClients) => {
    const resources = await clients.resources()
    await resources.resourceGroups.createOrUpdate(GROUP, { location: 'westeurope', tags: { 'strato.project': 'shop' } })
    const network = await clients.network()
    const vnet = await network.virtualNetworks.createOrUpdate(GROUP, 'ilb-vnet', { location: 'westeurope', addressSpace: { addressPrefixes: ['10.9.0.0/16'] }, subnets: [{ name: 'services', addressPrefix: '10.9.0.0/24' }] }, clients.lro)
    return vnet.subnets![0].id!
  }
  const refusal = async (work: Promise<unknown>) => {
    const error = await work.then(() => undefined, (caught: unknown) => caught)
    expect(error).toBeInstanceOf(AzureRequestError)
    return { code: (error as AzureRequestError).azureCode, status: (error as AzureRequestError).status }
  }

  it('places a Static frontend on its address and a Dynamic one on the lowest free, and shows them on GET', async () => {
    const clients = clientsFor(fake)
    const subnet = await subnetOf(clients)
    const network = await clients.network()
    await network.loadBalancers.createOrUpdate(GROUP, 'ilb', {
      location: 'westeurope', sku: { name: 'Standard' },
      frontendIPConfigurations: [
        { name: 'db', subnet: { id: subnet }, privateIPAllocationMethod: 'Static', privateIPAddress: '10.9.0.254' },
        { name: 'any', subnet: { id: subnet } },
      ],
    }, clients.lro)
    const read = await network.loadBalancers.get(GROUP, 'ilb')
    expect(read.frontendIPConfigurations?.map((frontend) => [frontend.name, frontend.privateIPAddress, frontend.privateIPAllocationMethod, frontend.privateIPAddressVersion, frontend.subnet?.id, frontend.provisioningState]))
      .toEqual([['db', '10.9.0.254', 'Static', 'IPv4', subnet, 'Succeeded'], ['any', '10.9.0.4', 'Dynamic', 'IPv4', subnet, 'Succeeded']])
    // a Dynamic frontend keeps its address when the balancer is written again
    await network.loadBalancers.createOrUpdate(GROUP, 'ilb', { location: 'westeurope', sku: { name: 'Standard' }, frontendIPConfigurations: [{ name: 'any', subnet: { id: subnet } }] }, clients.lro)
    expect((await network.loadBalancers.get(GROUP, 'ilb')).frontendIPConfigurations?.[0].privateIPAddress).toBe('10.9.0.4')
  })

  it('refuses what Azure refuses: a held address, one outside the subnet or reserved, one asked twice, no or both targets, a missing subnet', async () => {
    const clients = clientsFor(fake, { maxRetries: 0 })
    const subnet = await subnetOf(clients)
    const network = await clients.network()
    const put = (frontendIPConfigurations: object[]) => network.loadBalancers.createOrUpdate(GROUP, 'other', { location: 'westeurope', sku: { name: 'Standard' }, frontendIPConfigurations }, clients.lro)
    const fixed = (name: string, address: string, id = subnet) => ({ name, subnet: { id }, privateIPAllocationMethod: 'Static', privateIPAddress: address })
    await network.loadBalancers.createOrUpdate(GROUP, 'ilb', { location: 'westeurope', sku: { name: 'Standard' }, frontendIPConfigurations: [fixed('db', '10.9.0.254')] }, clients.lro)
    expect(await refusal(put([fixed('taken', '10.9.0.254')]))).toEqual({ code: 'PrivateIPAddressIsAllocated', status: 400 })
    expect(await refusal(put([fixed('outside', '10.8.0.10')]))).toEqual({ code: 'PrivateIPAddressNotInSubnet', status: 400 })
    expect(await refusal(put([fixed('reserved', '10.9.0.255')]))).toEqual({ code: 'PrivateIPAddressInReservedRange', status: 400 })
    expect(await refusal(put([fixed('reserved', '10.9.0.2')]))).toEqual({ code: 'PrivateIPAddressInReservedRange', status: 400 })
    expect(await refusal(put([fixed('a', '10.9.0.20'), fixed('b', '10.9.0.20')]))).toEqual({ code: 'MultipleIpConfigsRequestSamePrivateIpAddress', status: 400 })
    expect(await refusal(put([{ name: 'nothing' }]))).toEqual({ code: 'FrontendIPConfigHasNoSubnetOrPublicIP', status: 400 })
    const ip = await network.publicIPAddresses.createOrUpdate(GROUP, 'ilb-ip', { location: 'westeurope', sku: { name: 'Standard' }, publicIPAllocationMethod: 'Static' }, clients.lro)
    expect(await refusal(put([{ name: 'both', subnet: { id: subnet }, publicIPAddress: { id: ip.id } }]))).toEqual({ code: 'FrontendIPConfigHasBothSubnetAndPublicIP', status: 400 })
    expect(await refusal(put([fixed('gone', '10.9.0.30', subnet.replace(/services$/, 'missing'))]))).toEqual({ code: 'InvalidResourceReference', status: 400 })
    // the subnet is in use while a frontend holds an address in it
    expect(await refusal(network.virtualNetworks.delete(GROUP, 'ilb-vnet', clients.lro))).toEqual({ code: 'InUseSubnetCannotBeDeleted', status: 400 })
    await network.loadBalancers.delete(GROUP, 'ilb', clients.lro)
    await network.publicIPAddresses.delete(GROUP, 'ilb-ip', clients.lro)
    await network.virtualNetworks.delete(GROUP, 'ilb-vnet', clients.lro)
  })

  it('refuses service tags in a security rule\'s list of sources, as Azure does', async () => {
    const clients = clientsFor(fake, { maxRetries: 0 })
    await (await clients.resources()).resourceGroups.createOrUpdate(GROUP, { location: 'westeurope', tags: { 'strato.project': 'shop' } })
    const network = await clients.network()
    const rule = { name: 'both', protocol: 'Tcp', access: 'Allow', direction: 'Inbound', priority: 200, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '5432' }
    expect(await refusal(network.networkSecurityGroups.createOrUpdate(GROUP, 'tags-nsg', { location: 'westeurope', securityRules: [{ ...rule, sourceAddressPrefixes: ['VirtualNetwork', 'AzureLoadBalancer'] }] }, clients.lro)))
      .toEqual({ code: 'SecurityRuleParameterContainsUnsupportedValue', status: 400 })
    await network.networkSecurityGroups.createOrUpdate(GROUP, 'tags-nsg', { location: 'westeurope', securityRules: [{ ...rule, sourceAddressPrefixes: ['10.9.0.0/24', '10.10.0.0/24'] }] }, clients.lro)
    await network.networkSecurityGroups.delete(GROUP, 'tags-nsg', clients.lro)
  })
})
