/** Private services on GCP as pure data: the internal balancer's bodies, the firewall that admits the subnet, the hosts containers get, the order of a deploy. */
import { describe, expect, it } from 'vitest'
import { privateFirst } from '../../src/exposure.js'
import { firewallBody, groupBody } from '../../providers/gcp/group-bodies.js'
import { internalAddressBody, internalBackendServiceBody, internalForwardingRuleBody, portClashes, privateHosts } from '../../providers/gcp/internal-balancer-bodies.js'
import { checkPrivateServices, privateDrift, privateServicesOn } from '../../providers/gcp/internal-balancer.js'
import { templateName } from '../../providers/gcp/naming.js'
import { serviceEndpoints, toResources } from '../../providers/gcp/inventory.js'
import { addedHosts, renderStartupScript } from '../../providers/gcp/startup-script.js'
import { UserError } from '../../src/errors.js'
import type { Manifest } from '../../src/manifest/schema.js'
import type { Action } from '../../src/model.js'

const db = { project: 'shop', service: 'db', target: 'gcp' }
const SUBNET = 'projects/acme-prod/regions/europe-west1/subnetworks/default'
const NETWORK = 'projects/acme-prod/global/networks/default'

function shop(extra: Manifest['services'] = {}): Manifest {
  return {
    name: 'shop',
    services: {
      users: { image: 'nginx:1.27', port: 8080, health: '/healthz' },
      db: { image: 'postgres:16.4-bookworm', port: 5432 },
      cache: { image: 'redis:7.4', port: 6379, targets: ['other'] },
      worker: { image: 'busybox:1.36' },
      ...extra,
    },
    targets: { gcp: { provider: 'gcp', project: 'acme-prod', zone: 'europe-west1-b' } },
  } as Manifest
}

describe('gcp internal balancer bodies', () => {
  it('reserves one INTERNAL address in the subnet that rules may share', () => {
    expect(internalAddressBody({ project: 'shop', target: 'gcp', subnetwork: SUBNET })).toEqual({
      name: 'strato-shop-gcp-internal',
      description: 'strato {"strato.project":"shop","strato.role":"internal-address","strato.target":"gcp"}',
      labels: { 'strato-project': 'shop', 'strato-role': 'internal-address', 'strato-target': 'gcp' },
      addressType: 'INTERNAL', purpose: 'SHARED_LOADBALANCER_VIP', subnetwork: SUBNET,
    })
  })

  it('puts each private service behind its own INTERNAL backend service and rule on its port, on the shared address', () => {
    expect(internalBackendServiceBody({ ...db, instanceGroup: 'regions/europe-west1/instanceGroups/strato-shop-db', healthCheckLink: 'regions/europe-west1/healthChecks/strato-shop-db', network: NETWORK })).toEqual({
      name: 'strato-shop-db',
      description: 'strato {"strato.project":"shop","strato.role":"backend-service","strato.service":"db","strato.target":"gcp"}',
      loadBalancingScheme: 'INTERNAL', protocol: 'TCP', network: NETWORK,
      healthChecks: ['regions/europe-west1/healthChecks/strato-shop-db'],
      backends: [{ group: 'regions/europe-west1/instanceGroups/strato-shop-db', balancingMode: 'CONNECTION' }],
      connectionDraining: { drainingTimeoutSec: 30 },
    })
    const rule = internalForwardingRuleBody({
      ...db, port: 5432, backendServiceLink: 'regions/europe-west1/backendServices/strato-shop-db', addressLink: 'regions/europe-west1/addresses/strato-shop-gcp-internal', network: NETWORK, subnetwork: SUBNET,
    })
    expect(rule).toEqual({
      name: 'strato-shop-db',
      description: 'strato {"strato.project":"shop","strato.role":"forwarding-rule","strato.service":"db","strato.target":"gcp"}',
      labels: { 'strato-project': 'shop', 'strato-role': 'forwarding-rule', 'strato-service': 'db', 'strato-target': 'gcp' },
      backendService: 'regions/europe-west1/backendServices/strato-shop-db', IPAddress: 'regions/europe-west1/addresses/strato-shop-gcp-internal',
      IPProtocol: 'TCP', ports: ['5432'], loadBalancingScheme: 'INTERNAL', network: NETWORK, subnetwork: SUBNET, allowGlobalAccess: false,
    })
  })

  it('admits a private service\'s port from the subnet and the health checkers only, never from anywhere', () => {
    const body = firewallBody({ ...db, network: NETWORK, port: 5432, passthrough: true, subnetRange: '10.132.0.0/20' })
    expect(body).toMatchObject({ direction: 'INGRESS', allowed: [{ IPProtocol: 'tcp', ports: ['5432'] }], sourceRanges: ['10.132.0.0/20', '35.191.0.0/16', '130.211.0.0/22'], targetTags: ['strato-shop-db'] })
  })

  it('gives a worker\'s group no named port and no autohealing', () => {
    const group = groupBody({ project: 'shop', service: 'worker', target: 'gcp', region: 'europe-west1', zones: ['europe-west1-b'], templateLink: 'global/instanceTemplates/t1', targetSize: 1 })
    expect(group).not.toHaveProperty('namedPorts')
    expect(group).not.toHaveProperty('autoHealingPolicies')
  })
})

describe('gcp private service names without DNS', () => {
  it('adds --add-host for every private service, sorted, before the image', () => {
    const script = renderStartupScript({
      project: 'shop', gcpProject: 'acme-prod', service: 'users', image: 'nginx:1.27', spec: { port: 8080 },
      hosts: privateHosts(['db', 'cache'], '10.132.1.2'),
    })
    expect(script.split('\n').at(-2)).toBe('docker run --detach --restart unless-stopped --name users --env-file /etc/strato/service.env --add-host cache:10.132.1.2 --add-host db:10.132.1.2 --publish 8080:8080 --label strato.project=shop --label strato.service=users nginx:1.27')
    expect(privateHosts(['db'], undefined)).toEqual({})
  })

  it('knows the private services a target runs: a port, no health path, placed there', () => {
    expect(privateServicesOn(shop(), 'gcp').map(([name]) => name)).toEqual(['db'])
    expect(privateServicesOn(shop({ api: { image: 'nginx:1.27', port: 9000, health: '/h', expose: 'private' } }), 'gcp').map(([name]) => name)).toEqual(['db', 'api'])
  })

  it('refuses two private services on one port before anything is created (they share one address)', () => {
    expect(portClashes([['db', { port: 5432 }], ['replica', { port: 5432 }], ['cache', { port: 6379 }]])).toEqual(['db and replica on 5432'])
    const manifest = shop({ replica: { image: 'postgres:16.4-bookworm', port: 5432 } })
    expect(() => checkPrivateServices(manifest, 'gcp')).toThrow(UserError)
    try {
      checkPrivateServices(manifest, 'gcp')
    } catch (error) {
      // a limit of the one shared address, not a manifest error: the same manifest deploys to docker
      expect((error as UserError).exitCode).toBe(7)
      expect((error as UserError).message).toContain('Private services on one port of gcp target "gcp" (db and replica on 5432: they share one internal address, one rule per port)')
    }
    expect(() => checkPrivateServices(shop(), 'gcp')).not.toThrow()
  })

  it('deploys private services first, keeping the rest in plan order', () => {
    const action = (kind: Action['kind'], service: string): Action => (kind === 'delete' ? { kind, target: 'gcp', service, reasons: [] } : { kind, target: 'gcp', service, to: 1, toVersion: 'v1', reasons: [] })
    const ordered = privateFirst(shop(), [action('create', 'users'), action('delete', 'old'), action('create', 'worker'), action('update', 'db'), action('noop', 'cache')])
    expect(ordered.map((entry) => `${entry.kind} ${entry.service}`)).toEqual(['update db', 'create users', 'delete old', 'create worker', 'noop cache'])
  })
})

describe('gcp hosts in templates, and drift', () => {
  it('names a template after its version, and after its hosts when it has some', () => {
    expect(templateName('shop', 'users', 'v1')).toBe('strato-shop-users-v1')
    const withDb = templateName('shop', 'users', 'v1', { db: '10.132.1.2' })
    expect(withDb).toMatch(/^strato-shop-users-v1-[0-9a-f]{6}$/)
    expect(templateName('shop', 'users', 'v1', { db: '10.132.1.2' })).toBe(withDb)
    expect(templateName('shop', 'users', 'v1', { db: '10.132.1.2', cache: '10.132.1.2' })).not.toBe(withDb)
    expect(addedHosts('docker run --add-host db:10.1.1.1 --add-host cache:10.1.1.1 x')).toEqual(['cache', 'db'])
  })

  it('reports a private service still on the public balancer, and containers whose hosts are out of date', () => {
    const group = (service: string, template: string) => ({ id: service, kind: 'group' as const, target: 'gcp', service, state: 'running' as const, labels: {}, details: { templates: [template] } })
    const template = (name: string, hosts: string[]) => ({ id: name, kind: 'template' as const, target: 'gcp', state: 'running' as const, labels: {}, details: { name, hosts } })
    const rule = { id: 'r', kind: 'balancer' as const, target: 'gcp', service: 'cache', state: 'running' as const, labels: {}, details: { scheme: 'INTERNAL' } }
    const resources = [group('users', 't-users'), group('db', 't-db'), group('cache', 't-cache'), template('t-users', ['cache']), template('t-db', []), template('t-cache', ['cache', 'db']), rule]
    const drifted = privateDrift(resources, ['db', 'cache'])
    expect(Object.fromEntries(drifted.filter((resource) => resource.kind === 'group').map((resource) => [resource.service, resource.drift]))).toEqual({
      users: ["containers' hosts: cache, db (were cache)"],
      db: ['private: moves to the internal balancer', "containers' hosts: cache, db (were none)"],
      cache: undefined,
    })
    expect(privateDrift(resources, ['db']).find((resource) => resource.service === 'cache' && resource.kind === 'group')?.drift)
      .toEqual(['no longer private: leaves the internal balancer', "containers' hosts: db (were cache, db)"])
  })
})

describe('gcp private endpoints', () => {
  const internalRule = {
    name: 'strato-shop-db', IPAddress: '10.132.1.2', ports: ['5432'], loadBalancingScheme: 'INTERNAL', region: 'https://www.googleapis.com/compute/v1/projects/acme-prod/regions/europe-west1',
    description: 'strato {"strato.project":"shop","strato.role":"forwarding-rule","strato.service":"db","strato.target":"gcp"}',
    labels: { 'strato-project': 'shop', 'strato-role': 'forwarding-rule', 'strato-service': 'db', 'strato-target': 'gcp' },
  }
  const shared = {
    name: 'strato-shop-gcp-http', IPAddress: '34.120.1.1', portRange: '80-80',
    description: 'strato {"strato.project":"shop","strato.role":"forwarding-rule","strato.target":"gcp"}',
  }

  it('shows a private service at its internal address and port, saying private', () => {
    const group = (service: string, port?: number) => ({
      description: `strato {"strato.project":"shop","strato.role":"group","strato.service":"${service}","strato.target":"gcp"}`,
      ...(port ? { namedPorts: [{ name: 'http', port }] } : {}),
    })
    // a worker (no named port) answers nowhere
    expect(Object.fromEntries(serviceEndpoints([shared, internalRule], [group('users', 8080), group('db', 5432), group('mailer')]))).toEqual({ users: 'http://34.120.1.1/users/', db: '10.132.1.2:5432 (private)' })
    const [rule] = toResources({ groups: [], templates: [], forwardingRules: [internalRule] }, 'gcp', 'europe-west1')
    expect(rule).toMatchObject({ kind: 'balancer', service: 'db', location: 'europe-west1', endpoint: '10.132.1.2:5432 (private)', details: { scheme: 'INTERNAL', ip: '10.132.1.2' } })
  })
})
