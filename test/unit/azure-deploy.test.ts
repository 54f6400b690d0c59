/** The azure provider's deploy pieces that need no Azure: bodies, the rollout, release history, errors, credentials. */
import { describe, expect, it } from 'vitest'
import { credentialOptions } from '../../providers/azure/credentials.js'
import { endpointUrl, preflight } from '../../providers/azure/deployment.js'
import { actionOf, roleFor, translateResponse, translateThrown } from '../../providers/azure/errors.js'
import { chooseRelease, releaseHistory } from '../../providers/azure/history.js'
import { subscriptionOf, timingFrom } from '../../providers/azure/index.js'
import { loadBalancerBody, loadDistribution, securityGroupBody, type BalancedService } from '../../providers/azure/network.js'
import { withRelease } from '../../providers/azure/releases.js'
import { rollOut, type RolloutOps, type RolloutVm } from '../../providers/azure/rollout.js'
import { scaleSetModel } from '../../providers/azure/scale-set.js'
import { UserError } from '../../src/errors.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { silentProgress, type Action } from '../../src/model.js'

const services: BalancedService[] = [
  { service: 'users', port: 8080, health: '/healthz', frontendPort: 8081 },
  { service: 'orders', port: 8080, health: '/ready', frontendPort: 80 },
  { service: 'admin', port: 9000, health: '/', frontendPort: 8082 },
]
const ids = { subscriptionId: 'sub', resourceGroup: 'rg', project: 'shop' }
const lb = '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/strato-shop-lb'

describe('azure network bodies', () => {
  it('admits each service port once from the internet, nothing else', () => {
    expect(securityGroupBody('westeurope', { 'strato.project': 'shop' }, services).securityRules).toEqual([
      { name: 'allow-service-8080', description: 'strato: users, orders behind the load balancer', protocol: 'Tcp', access: 'Allow', direction: 'Inbound', priority: 200, sourceAddressPrefix: 'Internet', sourcePortRange: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '8080' },
      { name: 'allow-service-9000', description: 'strato: admin behind the load balancer', protocol: 'Tcp', access: 'Allow', direction: 'Inbound', priority: 201, sourceAddressPrefix: 'Internet', sourcePortRange: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '9000' },
    ])
  })

  it('gives each service a pool, an HTTP probe on its health path, a rule and an outbound rule, in name order', () => {
    const body = loadBalancerBody(ids, 'westeurope', {}, '/pip', services, 'Default')
    expect(body.sku).toEqual({ name: 'Standard', tier: 'Regional' })
    expect(body.frontendIPConfigurations).toEqual([{ name: 'public', publicIPAddress: { id: '/pip' } }])
    expect(body.backendAddressPools).toEqual([{ name: 'admin-pool' }, { name: 'orders-pool' }, { name: 'users-pool' }])
    expect(body.probes?.[2]).toEqual({ name: 'users-health', protocol: 'Http', port: 8080, requestPath: '/healthz', intervalInSeconds: 5, numberOfProbes: 2, probeThreshold: 2 })
    expect(body.loadBalancingRules?.[1]).toEqual({
      name: 'orders-http', protocol: 'Tcp', frontendPort: 80, backendPort: 8080,
      frontendIPConfiguration: { id: `${lb}/frontendIPConfigurations/public` }, backendAddressPool: { id: `${lb}/backendAddressPools/orders-pool` },
      probe: { id: `${lb}/probes/orders-health` }, loadDistribution: 'Default', idleTimeoutInMinutes: 4, enableFloatingIP: false, enableTcpReset: true, disableOutboundSnat: true,
    })
    expect(body.outboundRules?.map((rule) => rule.backendAddressPool?.id)).toEqual([`${lb}/backendAddressPools/admin-pool`, `${lb}/backendAddressPools/orders-pool`, `${lb}/backendAddressPools/users-pool`])
  })

  it('maps consistent-hash to client-IP affinity and everything else to the 5-tuple hash', () => {
    expect(loadDistribution({ algorithm: 'consistent-hash' })).toBe('SourceIP')
    expect(loadDistribution({ algorithm: 'least-conn' })).toBe('Default')
    expect(loadDistribution(undefined)).toBe('Default')
  })

  it('writes endpoints without :80', () => {
    expect(endpointUrl('203.0.113.7', 80)).toBe('http://203.0.113.7')
    expect(endpointUrl('203.0.113.7', 8081)).toBe('http://203.0.113.7:8081')
  })
})

describe('azure scale set model', () => {
  const model = scaleSetModel({
    location: 'westeurope', vmSize: 'Standard_B2s', zones: ['1', '2'], capacity: 2, computerNamePrefix: 'users1a2b', script: 'c2NyaXB0', sshPublicKey: 'ssh-rsa AAAA strato-no-login',
    subnetId: '/subnet', securityGroupId: '/nsg', backendPoolIds: ['/pool'], port: 8080, health: '/healthz', tags: { 'strato.project': 'shop' }, nicName: 'users-nic',
  })

  it('is a Uniform set with manual upgrades, a system identity, no password and no public IP', () => {
    expect(model).toMatchObject({ orchestrationMode: 'Uniform', upgradePolicy: { mode: 'Manual' }, identity: { type: 'SystemAssigned' }, overprovision: false, zones: ['1', '2'], sku: { name: 'Standard_B2s', capacity: 2 } })
    expect(model.virtualMachineProfile?.osProfile?.linuxConfiguration?.disablePasswordAuthentication).toBe(true)
    expect(model.virtualMachineProfile?.osProfile?.adminPassword).toBeUndefined()
    const nic = model.virtualMachineProfile?.networkProfile?.networkInterfaceConfigurations?.[0]
    expect(nic?.networkSecurityGroup).toEqual({ id: '/nsg' })
    expect(nic?.ipConfigurations?.[0]).toEqual({ name: 'ipconfig', primary: true, subnet: { id: '/subnet' }, loadBalancerBackendAddressPools: [{ id: '/pool' }] })
    expect(nic?.ipConfigurations?.[0].publicIPAddressConfiguration).toBeUndefined()
  })

  it('runs the boot script as custom data, keeps it in userData, and reports health through the extension', () => {
    expect(model.virtualMachineProfile?.osProfile?.customData).toBe('c2NyaXB0')
    expect(model.virtualMachineProfile?.userData).toBe('c2NyaXB0')
    expect(model.virtualMachineProfile?.extensionProfile?.extensions).toEqual([{
      name: 'health', publisher: 'Microsoft.ManagedServices', typePropertiesType: 'ApplicationHealthLinux', typeHandlerVersion: '2.0', autoUpgradeMinorVersion: true,
      settings: { protocol: 'http', port: 8080, requestPath: '/healthz' },
    }])
    expect(model.virtualMachineProfile?.storageProfile?.osDisk?.managedDisk).toEqual({ storageAccountType: 'StandardSSD_LRS' })
  })
})

/** A scale set in memory: VMs with ids, models, and health decided by the model. */
function fakeSet(initial: number, newModelHealthy: boolean) {
  let next = initial
  let model = 'old'
  let vms: (RolloutVm & { model: string })[] = Array.from({ length: initial }, (_, i) => ({ instanceId: String(i), latest: true, state: 'running', health: 'healthy', model: 'old' }))
  const calls: string[] = []
  let clock = 0
  const refresh = () => { vms = vms.map((vm) => ({ ...vm, latest: vm.model === model })) }
  const ops: RolloutOps = {
    vms: async () => vms.map(({ model: _model, ...vm }) => vm),
    applyNewModel: async () => { calls.push('new model'); model = 'new'; refresh() },
    restoreOldModel: async () => { calls.push('old model'); model = 'old'; refresh() },
    setCapacity: async (capacity) => {
      calls.push(`capacity ${capacity}`)
      while (vms.length < capacity) vms.push({ instanceId: String(next++), latest: true, state: 'running', health: model === 'new' && !newModelHealthy ? 'unhealthy' : 'healthy', model })
      vms = vms.slice(0, capacity)
    },
    deleteInstances: async (ids) => { calls.push(`delete ${ids.join(',')}`); vms = vms.filter((vm) => !ids.includes(vm.instanceId)) },
    upgradeInstances: async (ids) => { calls.push(`upgrade ${ids.join(',')}`); vms = vms.map((vm) => (ids.includes(vm.instanceId) ? { ...vm, model, latest: true } : vm)) },
    sleep: async (ms) => { clock += ms },
    now: () => clock,
  }
  return { ops, calls, vms: () => vms }
}

describe('azure health-gated rollout', () => {
  it('adds as many new VMs as run, then deletes the old ones', async () => {
    const set = fakeSet(2, true)
    const outcome = await rollOut(set.ops, { service: 'users', desired: 2, timeoutMs: 1000, pollMs: 10 }, silentProgress)
    expect(outcome).toEqual({ replaced: ['0', '1'], added: ['2', '3'] })
    expect(set.calls).toEqual(['new model', 'capacity 4', 'delete 0,1'])
    expect(set.vms().map((vm) => vm.model)).toEqual(['new', 'new'])
  })

  it('goes batch by batch with a surge', async () => {
    const set = fakeSet(3, true)
    await rollOut(set.ops, { service: 'users', desired: 3, batch: 1, timeoutMs: 1000, pollMs: 10 }, silentProgress)
    expect(set.calls).toEqual(['new model', 'capacity 4', 'delete 0', 'capacity 4', 'delete 1', 'capacity 4', 'delete 2'])
  })

  it('rolls back a version that never turns healthy: old model back, new VMs gone, old VMs untouched', async () => {
    const set = fakeSet(2, false)
    const error = await rollOut(set.ops, { service: 'users', desired: 2, timeoutMs: 100, pollMs: 10 }, silentProgress).then(() => undefined, (caught: unknown) => caught)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).exitCode).toBe(1)
    expect(set.calls).toEqual(['new model', 'capacity 4', 'old model', 'delete 2,3', 'upgrade 0,1'])
    expect(set.vms().map((vm) => [vm.instanceId, vm.model, vm.health])).toEqual([['0', 'old', 'healthy'], ['1', 'old', 'healthy']])
  })

  it('after earlier batches, a failed one brings the count back on the old model', async () => {
    const set = fakeSet(2, true)
    let batches = 0
    const setCapacity = set.ops.setCapacity
    set.ops.setCapacity = async (capacity) => {
      batches++
      await setCapacity(capacity)
      // the second batch's new VM never turns healthy
      if (batches === 2) for (const vm of set.vms()) if (vm.instanceId === '3') vm.health = 'unhealthy'
    }
    const error = await rollOut(set.ops, { service: 'users', desired: 2, batch: 1, timeoutMs: 50, pollMs: 10 }, silentProgress).then(() => undefined, (caught: unknown) => caught)
    expect(error).toBeInstanceOf(UserError)
    expect(set.calls.slice(-4)).toEqual(['old model', 'delete 2,3', 'upgrade 1', 'capacity 2'])
    expect(set.vms().map((vm) => vm.model)).toEqual(['old', 'old'])
  })
})

describe('azure release history', () => {
  const entry = (service: string, releases: [number, string][]) => ({
    vms: [],
    scaleSet: { location: 'westeurope', tags: releases.reduce((tags, [number, version]) => withRelease(tags, { number, at: `2026-11-0${number}T00:00:00Z`, by: 'ci', kind: 'deploy', version, image: `img:${version}`, replicas: 2 }), { 'strato.service': service } as Record<string, string>) },
  })

  it('joins the services of each release and chooses the one to return to', () => {
    const history = releaseHistory([entry('users', [[1, 'a1'], [2, 'a2'], [3, 'a3']]), entry('orders', [[2, 'b2'], [3, 'b2']])])
    expect(history.map((release) => [release.number, Object.keys(release.services).sort()])).toEqual([[1, ['users']], [2, ['orders', 'users']], [3, ['orders', 'users']]])
    expect(chooseRelease(history, undefined, 'azure').number).toBe(2)
    expect(chooseRelease(history, '1', 'azure').number).toBe(1)
    expect(chooseRelease(history, 'a3', 'azure').number).toBe(3)
    expect(() => chooseRelease(history, '9', 'azure')).toThrow(/not in the history/)
    expect(() => chooseRelease([], undefined, 'azure')).toThrow(/no release history/)
  })
})

describe('azure errors at the edge', () => {
  const scope = { targetName: 'azure', subscriptionId: 'sub' }
  it('names the Resource Manager action of a request', () => {
    expect(actionOf('PUT', 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web?api-version=1')).toBe('Microsoft.Compute/virtualMachineScaleSets/write')
    expect(actionOf('POST', 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web/delete')).toBe('Microsoft.Compute/virtualMachineScaleSets/delete/action')
    expect(actionOf('GET', 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web/virtualMachines')).toBe('Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read')
    expect(actionOf('DELETE', 'https://management.azure.com/subscriptions/s/resourcegroups/rg')).toBe('Microsoft.Resources/subscriptions/resourceGroups/delete')
    expect(actionOf('POST', 'https://management.azure.com/subscriptions/s/providers/Microsoft.CostManagement/query')).toBe('Microsoft.CostManagement/query/action')
    expect(actionOf('PUT', 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/providers/Microsoft.Authorization/roleAssignments/g')).toBe('Microsoft.Authorization/roleAssignments/write')
  })

  it('maps statuses to exit codes and roles', () => {
    const url = 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb'
    expect(translateResponse(403, JSON.stringify({ error: { code: 'AuthorizationFailed', message: 'no' } }), 'PUT', url, scope).exitCode).toBe(5)
    expect(translateResponse(401, '', 'GET', url, scope).exitCode).toBe(5)
    expect(translateResponse(429, '', 'GET', url, scope, '30').message).toContain('Retry-After 30s')
    expect(translateResponse(409, JSON.stringify({ error: { code: 'MissingSubscriptionRegistration' } }), 'PUT', url, scope).fix).toContain('az provider register --namespace Microsoft.Network')
    expect(translateResponse(400, JSON.stringify({ error: { code: 'InvalidParameter', message: 'bad' } }), 'PUT', url, scope)).toMatchObject({ azureCode: 'InvalidParameter', status: 400 })
    expect(roleFor('Microsoft.Authorization/roleAssignments/write')).toContain('User Access Administrator')
    expect(roleFor('Microsoft.CostManagement/query/action')).toBe('Cost Management Reader')
    expect(roleFor('Microsoft.Compute/virtualMachineScaleSets/write')).toBe('Contributor')
  })

  it('tells an unreachable endpoint, an untrusted certificate and missing credentials apart', () => {
    const url = 'https://127.0.0.1:1/subscriptions/s'
    expect((translateThrown(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'GET', url, { ...scope, endpoint: 'https://127.0.0.1:1' }) as UserError).exitCode).toBe(4)
    expect((translateThrown({ name: 'RestError', cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } }, 'GET', url, scope) as UserError).fix).toContain('NODE_EXTRA_CA_CERTS')
    const unavailable = translateThrown({ name: 'AggregateAuthenticationError', message: 'none', errors: [{ name: 'CredentialUnavailableError' }] }, 'GET', url, scope) as UserError
    expect([unavailable.exitCode, unavailable.message]).toEqual([5, 'No Azure credentials were found for target "azure" (subscription sub).'])
  })
})

describe('azure credentials and settings', () => {
  it('turns instance discovery off only for an authority that is not Microsoft\'s', () => {
    expect(credentialOptions({})).toEqual({})
    expect(credentialOptions({ AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us' })).toEqual({})
    expect(credentialOptions({ AZURE_AUTHORITY_HOST: 'https://127.0.0.1:4443' })).toEqual({ disableInstanceDiscovery: true })
  })

  it('takes the subscription from the target, then AZURE_SUBSCRIPTION_ID, else says how to set it (exit 2)', () => {
    expect(subscriptionOf({ provider: 'azure', location: 'westeurope', subscription: 'a' }, 'azure', { AZURE_SUBSCRIPTION_ID: 'b' })).toBe('a')
    expect(subscriptionOf({ provider: 'azure', location: 'westeurope' }, 'azure', { AZURE_SUBSCRIPTION_ID: 'b' })).toBe('b')
    expect(() => subscriptionOf({ provider: 'azure', location: 'westeurope' }, 'azure', {})).toThrow(/names no Azure subscription/)
  })

  it('waits ten minutes for new VMs unless told otherwise', () => {
    expect(timingFrom({}).healthTimeoutMs).toBe(600_000)
    expect(timingFrom({ healthTimeoutSeconds: 30 }).healthTimeoutMs).toBe(30_000)
  })

  it('takes a service without a port (a worker): it runs on no balancer rule and has no health extension', () => {
    const manifest = { name: 'shop', services: { worker: { image: 'x' } } } as unknown as Manifest
    const action = { kind: 'create', target: 'azure', service: 'worker', to: 1, toVersion: 'v', reasons: [] } as Action
    expect(() => preflight(manifest, 'azure', [action])).not.toThrow()
    const worker = scaleSetModel({
      location: 'westeurope', vmSize: 'Standard_B2s', capacity: 1, computerNamePrefix: 'work1a2b', script: 'c2NyaXB0', sshPublicKey: 'ssh-rsa AAAA strato-no-login',
      subnetId: '/subnet', securityGroupId: '/nsg', backendPoolIds: ['/egress-pool'], tags: {}, nicName: 'worker-nic',
    })
    expect(worker.virtualMachineProfile?.extensionProfile?.extensions).toEqual([])
  })
})

describe('azure credential failures that are really unreachable authorities', () => {
  it('is exit 4 when the authority does not accept connections, exit 5 when it refuses the secret', async () => {
    const { guardCredential } = await import('../../providers/azure/errors.js')
    const { createServer } = await import('node:net')
    const refusing = { getToken: async (_scopes: string | string[]): Promise<unknown> => { throw Object.assign(new Error('refused'), { name: 'AuthenticationError', statusCode: 400 }) } }
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const up = await guardCredential(refusing, { targetName: 'azure', subscriptionId: 's', authorityHost: `https://127.0.0.1:${port}` }).getToken('x').catch((error: UserError) => error)
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const down = await guardCredential(refusing, { targetName: 'azure', subscriptionId: 's', authorityHost: `https://127.0.0.1:${port}` }).getToken('x').catch((error: UserError) => error)
    expect([(up as UserError).exitCode, (down as UserError).exitCode]).toEqual([5, 4])
    expect((down as UserError).fix).toContain('AZURE_AUTHORITY_HOST')
  })
})
