/** Private services on azure targets, the pure parts: the internal balancer's body and addresses, the private NSG, the public balancer without them, the boot script's --add-host. */
import { describe, expect, it } from 'vitest'
import { renderCustomData } from '../../providers/azure/custom-data.js'
import { assignPrivateAddresses, internalLoadBalancerBody, privateAddressesOf, privateDrift, privateSecurityGroupBody, usableFromTop } from '../../providers/azure/internal-balancer.js'
import { loadBalancerBody, SUBNET_PREFIX } from '../../providers/azure/network.js'
import { endpointOf, poolIdsOf, type ProjectNetwork } from '../../providers/azure/project-network.js'
import { UserError } from '../../src/errors.js'
import type { Manifest, Service } from '../../src/manifest/schema.js'
import type { Resource } from '../../src/model.js'

const ids = { subscriptionId: 'sub', resourceGroup: 'rg', project: 'shop' }
const net = '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network'
const ilb = `${net}/loadBalancers/strato-shop-ilb`
const subnet = `${net}/virtualNetworks/strato-shop-vnet/subnets/services`

describe('internal frontend addresses', () => {
  it('are the subnet\'s last usable addresses, highest first, never Azure\'s reserved ones', () => {
    const range = usableFromTop(SUBNET_PREFIX)
    expect([range.at(range.first), range.at(range.last)]).toEqual(['10.42.0.4', '10.42.15.254'])
    expect(assignPrivateAddresses(['db', 'cache'], {}, SUBNET_PREFIX)).toEqual({ cache: '10.42.15.254', db: '10.42.15.253' })
    expect(assignPrivateAddresses(['db'], {}, '192.168.7.0/24')).toEqual({ db: '192.168.7.254' })
  })

  it('keep the address a service has, so adding one moves nothing', () => {
    expect(assignPrivateAddresses(['db', 'cache'], { db: '10.42.15.254' }, SUBNET_PREFIX)).toEqual({ db: '10.42.15.254', cache: '10.42.15.253' })
    expect(assignPrivateAddresses(['db', 'aaa'], { db: '10.42.15.254' }, SUBNET_PREFIX).db).toBe('10.42.15.254')
  })

  it('never hand out an address the balancer still holds for a service on its way out', () => {
    expect(assignPrivateAddresses(['cache'], { db: '10.42.15.254' }, SUBNET_PREFIX)).toEqual({ cache: '10.42.15.253' })
  })

  it('refuse a subnet with no address left (exit 6), with a fix', () => {
    const error = (() => { try { assignPrivateAddresses(['a', 'b', 'c', 'd'], {}, '10.0.0.0/29') } catch (caught) { return caught } })() as UserError
    expect(error).toBeInstanceOf(UserError)
    expect(error.exitCode).toBe(6)
    expect(error.fix).toContain('subnet')
  })
})

describe('the internal load balancer body', () => {
  const body = internalLoadBalancerBody(ids, 'westeurope', { 'strato.project': 'shop' }, subnet, [
    { service: 'db', port: 5432, address: '10.42.15.254' }, { service: 'cache', port: 6379, address: '10.42.15.253' },
  ], 'Default')

  it('has a Standard frontend per private service in the subnet, on its Static address', () => {
    expect(body.sku).toEqual({ name: 'Standard', tier: 'Regional' })
    expect(body.frontendIPConfigurations).toEqual([
      { name: 'cache-private', subnet: { id: subnet }, privateIPAllocationMethod: 'Static', privateIPAddress: '10.42.15.253', privateIPAddressVersion: 'IPv4' },
      { name: 'db-private', subnet: { id: subnet }, privateIPAllocationMethod: 'Static', privateIPAddress: '10.42.15.254', privateIPAddressVersion: 'IPv4' },
    ])
    expect(JSON.stringify(body)).not.toContain('publicIPAddress')
    expect(privateAddressesOf(body)).toEqual({ cache: '10.42.15.253', db: '10.42.15.254' })
  })

  it('probes each service over TCP on its port and forwards that port, with no outbound rule', () => {
    expect(body.probes?.[1]).toEqual({ name: 'db-tcp', protocol: 'Tcp', port: 5432, intervalInSeconds: 5, numberOfProbes: 2, probeThreshold: 2 })
    expect(body.loadBalancingRules?.[1]).toEqual({
      name: 'db-tcp', protocol: 'Tcp', frontendPort: 5432, backendPort: 5432,
      frontendIPConfiguration: { id: `${ilb}/frontendIPConfigurations/db-private` }, backendAddressPool: { id: `${ilb}/backendAddressPools/db-pool` },
      probe: { id: `${ilb}/probes/db-tcp` }, loadDistribution: 'Default', idleTimeoutInMinutes: 30, enableFloatingIP: false, enableTcpReset: true,
    })
    expect(body.outboundRules).toBeUndefined()
  })
})

describe('the private services\' NSG', () => {
  it('admits each private port from the virtual network and Azure\'s probe source, never the internet', () => {
    const rules = privateSecurityGroupBody('westeurope', {}, [{ service: 'db', port: 5432 }, { service: 'replica', port: 5432 }, { service: 'cache', port: 6379 }]).securityRules!
    expect(rules.map((rule) => [rule.name, rule.sourceAddressPrefix, rule.destinationPortRange, rule.priority, rule.access, rule.direction])).toEqual([
      ['allow-network-5432', 'VirtualNetwork', '5432', 200, 'Allow', 'Inbound'],
      ['allow-probe-5432', 'AzureLoadBalancer', '5432', 201, 'Allow', 'Inbound'],
      ['allow-network-6379', 'VirtualNetwork', '6379', 202, 'Allow', 'Inbound'],
      ['allow-probe-6379', 'AzureLoadBalancer', '6379', 203, 'Allow', 'Inbound'],
    ])
    expect(rules[0].description).toBe('strato: db, replica from the virtual network only')
    expect(rules.some((rule) => ['Internet', '*', '0.0.0.0/0'].includes(rule.sourceAddressPrefix ?? ''))).toBe(false)
  })
})

describe('the public balancer with private services and workers', () => {
  it('gives them a pool and an outbound rule only: no probe, no rule in', () => {
    const body = loadBalancerBody(ids, 'westeurope', {}, '/pip', [{ service: 'users', port: 8080, health: '/healthz', frontendPort: 80 }], 'Default', ['db', 'worker'])
    expect(body.backendAddressPools?.map((pool) => pool.name)).toEqual(['db-pool', 'users-pool', 'worker-pool'])
    expect(body.loadBalancingRules?.map((rule) => rule.name)).toEqual(['users-http'])
    expect(body.probes?.map((probe) => probe.name)).toEqual(['users-health'])
    expect(body.outboundRules?.map((rule) => rule.name)).toEqual(['db-outbound', 'users-outbound', 'worker-outbound'])
  })

  it('puts a private service\'s VMs in both balancers\' pools and reports its private address', () => {
    const network = {
      ids, subnetId: subnet, securityGroupId: '/nsg', address: '203.0.113.9', ports: { users: 80 }, at: '', by: '',
      privates: { db: { service: 'db', port: 5432, address: '10.42.15.254' } }, exposures: { users: 'public', db: 'private', worker: 'none' }, leaving: [],
    } as ProjectNetwork
    expect(poolIdsOf(network, 'db')).toEqual([`${net}/loadBalancers/strato-shop-lb/backendAddressPools/db-pool`, `${ilb}/backendAddressPools/db-pool`])
    expect(poolIdsOf(network, 'users')).toEqual([`${net}/loadBalancers/strato-shop-lb/backendAddressPools/users-pool`])
    expect([endpointOf(network, 'users'), endpointOf(network, 'db'), endpointOf(network, 'worker')]).toEqual(['http://203.0.113.9', '10.42.15.254:5432 (private)', undefined])
  })
})

describe('the boot script and private services', () => {
  const spec: Service = { image: 'registry.example/users:1', port: 8080, health: '/healthz', env: { DATABASE_URL: 'postgres://app@db:5432/shop' } }

  it('maps every other private service\'s name to its internal address, in name order', () => {
    const script = renderCustomData({ project: 'shop', service: 'users', image: spec.image!, spec, privateHosts: { db: '10.42.15.254', cache: '10.42.15.253' } })
    expect(script.trimEnd().split('\n').at(-1)).toBe(
      'docker run --detach --restart unless-stopped --name users --env-file /etc/strato/service.env --add-host cache:10.42.15.253 --add-host db:10.42.15.254 --publish 8080:8080 '
      + '--label strato.project=shop --label strato.service=users registry.example/users:1',
    )
  })

  it('leaves out the service\'s own name: a backend cannot reach itself through its internal frontend', () => {
    const db: Service = { image: 'postgres:16', port: 5432 }
    const script = renderCustomData({ project: 'shop', service: 'db', image: 'postgres:16', spec: db, privateHosts: { db: '10.42.15.254', cache: '10.42.15.253' } })
    expect(script).toContain('--add-host cache:10.42.15.253')
    expect(script).not.toContain('--add-host db:')
  })
})

describe('drift plan reads from the scale sets\' tags', () => {
  const manifest = { name: 'shop', services: { users: { image: 'u', port: 8080, health: '/healthz' }, db: { image: 'p', port: 5432 }, cache: { image: 'r', port: 6379, targets: ['other'] } }, targets: { azure: { provider: 'azure', location: 'westeurope' } } } as unknown as Manifest
  const group = (service: string, tags: Record<string, string>): Resource => ({ id: service, kind: 'group', target: 'azure', service, state: 'running', labels: { 'strato.role': 'scale-set', ...tags } })

  it('reports nothing when the tags say what the manifest wants', () => {
    const resources = [group('users', { 'strato.hosts': 'db', 'strato.endpoint': 'http://203.0.113.9' }), group('db', { 'strato.hosts': '', 'strato.endpoint': '10.42.15.254:5432 (private)' })]
    expect(privateDrift(resources, manifest, 'azure').map((resource) => resource.drift)).toEqual([undefined, undefined])
  })

  it('moves a database deployed on the public balancer (before private services existed) and gives the others its name', () => {
    const resources = [group('users', { 'strato.endpoint': 'http://203.0.113.9' }), group('db', { 'strato.endpoint': 'http://203.0.113.9:8081' })]
    expect(privateDrift(resources, manifest, 'azure').map((resource) => resource.drift)).toEqual([
      ["containers' hosts: db (were none)"],
      ['private: moves to the internal load balancer'],
    ])
  })

  it('takes a service that is no longer private off the internal balancer', () => {
    const now = { ...manifest, services: { ...manifest.services, db: { image: 'p', port: 5432, health: '/ready' } } } as Manifest
    expect(privateDrift([group('db', { 'strato.endpoint': '10.42.15.254:5432 (private)' })], now, 'azure')[0].drift).toEqual(['no longer private: leaves the internal load balancer'])
  })
})
