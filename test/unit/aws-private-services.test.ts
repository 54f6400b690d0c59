/**
 * The pure parts of private services on aws: the internal balancer's
 * address, its listeners, the firewall rule, `--add-host` in user data, the
 * port rule, and what status and plan read back from tags.
 */
import { describe, expect, it } from 'vitest'
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling'
import type { LoadBalancer, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'
import { manifestRoutes } from '../../providers/aws/front.js'
import { internalAddress, planListeners, portClash, privateEndpoint, privateHosts, subnetMappings } from '../../providers/aws/internal-balancer.js'
import { privateServicesOn } from '../../src/exposure.js'
import type { AwsInventory } from '../../providers/aws/inventory.js'
import { toResources } from '../../providers/aws/inventory.js'
import { frontDrift, hostsDrift, privateDrift, serviceEndpoint } from '../../providers/aws/layout.js'
import { renderUserData, templateName, templateVersion } from '../../providers/aws/launch-template.js'
import { privateIngress } from '../../providers/aws/security-group.js'
import type { Manifest } from '../../src/manifest/schema.js'

describe('the internal balancer\'s address', () => {
  it('is near the top of the subnet, below the address AWS reserves, and the same every time', () => {
    const address = internalAddress('shop', '172.31.16.0/20')
    const last = Number(address.split('.')[3]) + 256 * Number(address.split('.')[2])
    expect(address.startsWith('172.31.')).toBe(true)
    // 172.31.16.0/20 ends at 172.31.31.255 (reserved); the top 16 usable addresses below it
    expect(last).toBeLessThanOrEqual(31 * 256 + 254)
    expect(last).toBeGreaterThanOrEqual(31 * 256 + 239)
    expect(internalAddress('shop', '172.31.16.0/20')).toBe(address)
  })

  it('stays inside small subnets, never on the four reserved first addresses or the last', () => {
    for (const project of ['shop', 'billing', 'a', 'very-long-project-name']) {
      const host = Number(internalAddress(project, '10.0.1.16/28').split('.')[3])
      expect(host).toBeGreaterThanOrEqual(16 + 4)
      expect(host).toBeLessThanOrEqual(16 + 14)
    }
  })

  it('differs between projects that share a subnet', () => {
    const addresses = new Set(['shop', 'billing', 'search', 'ledger'].map((project) => internalAddress(project, '10.0.0.0/24')))
    expect(addresses.size).toBeGreaterThan(1)
  })

  it('maps each subnet to its own address, in subnet order', () => {
    expect(subnetMappings('shop', [{ id: 'subnet-b', cidr: '10.0.2.0/24' }, { id: 'subnet-a', cidr: '10.0.1.0/24' }])).toEqual([
      { SubnetId: 'subnet-a', PrivateIPv4Address: internalAddress('shop', '10.0.1.0/24') },
      { SubnetId: 'subnet-b', PrivateIPv4Address: internalAddress('shop', '10.0.2.0/24') },
    ])
  })
})

describe('the internal balancer\'s listeners', () => {
  const listener = (arn: string, port: number, tg: string) => ({ ListenerArn: arn, Port: port, DefaultActions: [{ Type: 'forward' as const, TargetGroupArn: tg }] })

  it('creates one per private port, repoints a listener whose target group changed, and removes ports no service has', () => {
    const changes = planListeners(
      [listener('l-db', 5432, 'tg-db-old'), listener('l-old', 11211, 'tg-memcached'), listener('l-cache', 6379, 'tg-cache')],
      new Map([[5432, 'tg-db'], [9200, 'tg-search']]), new Set([6379]),
    )
    expect(changes).toEqual({ create: [{ port: 9200, targetGroupArn: 'tg-search' }], modify: [{ arn: 'l-db', targetGroupArn: 'tg-db' }], remove: ['l-old'] })
  })

  it('changes nothing when the listeners match', () => {
    expect(planListeners([listener('l-db', 5432, 'tg-db')], new Map([[5432, 'tg-db']]), new Set())).toEqual({ create: [], modify: [], remove: [] })
  })
})

describe('private services on aws', () => {
  it('admit their port from the VPC\'s ranges only', () => {
    expect(privateIngress(5432, ['10.0.0.0/16', '100.64.0.0/20'])).toEqual([{
      IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432,
      IpRanges: [{ CidrIp: '10.0.0.0/16', Description: 'service port from inside the VPC only' }, { CidrIp: '100.64.0.0/20', Description: 'service port from inside the VPC only' }],
    }])
  })

  it('are reached by name from every other container, through --add-host', () => {
    const hosts = privateHosts(['db', 'cache'], '10.0.1.250', 'users')
    expect(hosts).toEqual([{ name: 'cache', address: '10.0.1.250' }, { name: 'db', address: '10.0.1.250' }])
    expect(privateHosts(['db', 'cache'], '10.0.1.250', 'db')).toEqual([{ name: 'cache', address: '10.0.1.250' }])
    expect(privateHosts(['db'], undefined, 'users')).toEqual([])
    const script = renderUserData({ project: 'shop', service: 'users', image: 'registry.example/users:1', spec: { image: 'x', port: 8080 }, hosts })
    expect(script.trimEnd().split('\n').at(-1)).toBe(
      'docker run --detach --restart unless-stopped --name users --env-file /etc/strato/service.env --publish 8080:8080 ' +
      '--add-host cache:10.0.1.250 --add-host db:10.0.1.250 --label strato.project=shop --label strato.service=users registry.example/users:1')
  })

  it('name a template after the hosts its containers reach, and read the version back', () => {
    const hosts = [{ name: 'db', address: '10.0.1.250' }]
    expect(templateName('shop', 'users', 'abc123def456')).toBe('strato-shop-users-abc123def456')
    const named = templateName('shop', 'users', 'abc123def456', hosts)
    expect(named).toMatch(/^strato-shop-users-abc123def456-h[0-9a-f]{6}$/)
    expect(templateName('shop', 'users', 'abc123def456', [{ name: 'db', address: '10.0.2.250' }])).not.toBe(named)
    expect(templateVersion('strato-shop-users', named)).toBe('abc123def456')
    expect(templateVersion('strato-shop-users', 'strato-shop-users-abc123def456')).toBe('abc123def456')
  })

  it('are on no public route; a service without a port neither', () => {
    const manifest: Manifest = { name: 'shop', services: {
      users: { image: 'u', port: 8080, health: '/healthz' }, db: { image: 'postgres', port: 5432 }, mailer: { image: 'm' },
      admin: { image: 'a', port: 9000, expose: 'private' },
    } }
    expect(Object.keys(manifestRoutes(manifest))).toEqual(['users'])
  })

  it('are reached only on the targets placement puts them on', () => {
    const manifest: Manifest = {
      name: 'shop',
      services: { users: { image: 'u', port: 8080, health: '/' }, db: { image: 'postgres', port: 5432, replicas: 1 }, search: { image: 's', port: 9200, autoscale: { min: 1, max: 8 } } },
      targets: { onprem: { provider: 'docker' }, aws: { provider: 'aws', region: 'eu-west-1' } },
      placement: [{ target: 'onprem', max: 2 }, { target: 'aws' }],
    }
    // db's one replica fits on onprem; search may overflow to aws up to its autoscale max
    expect(privateServicesOn(manifest, 'aws')).toEqual(['search'])
    expect(privateServicesOn(manifest, 'onprem')).toEqual(['db', 'search'])
  })

  it('may not share a port on one target, since the internal balancer has one listener per port', () => {
    const services = { db: { image: 'postgres', port: 5432 }, 'db-replica': { image: 'postgres', port: 5432 }, users: { image: 'u', port: 5432, health: '/' } }
    const aws = { aws: { provider: 'aws' as const, region: 'eu-west-1' } }
    expect(portClash({ name: 'shop', services, targets: aws }, 'aws')).toEqual({ port: 5432, services: ['db', 'db-replica'] })
    expect(portClash({ name: 'shop', services: { db: services.db, users: services.users }, targets: aws }, 'aws')).toBeUndefined()
    // on two targets they have a balancer each
    const split = { ...services, 'db-replica': { ...services['db-replica'], targets: ['gcp'] } }
    expect(portClash({ name: 'shop', services: split, targets: { ...aws, gcp: { provider: 'gcp', project: 'p', zone: 'europe-west1-b' } } }, 'aws')).toBeUndefined()
  })
})

describe('status and plan of private services, from tags', () => {
  const tg = (service: string, role: string, port: number): { item: TargetGroup; tags: Record<string, string> } =>
    ({ item: { TargetGroupArn: `tg-${service}-${role}`, Port: port }, tags: { 'strato.project': 'shop', 'strato.service': service, 'strato.role': role } })
  const group = (service: string, targetGroups: string[]): AutoScalingGroup => ({
    AutoScalingGroupName: `strato-shop-${service}`, DesiredCapacity: 1, MinSize: 0, MaxSize: 1, TargetGroupARNs: targetGroups, Instances: [],
    DefaultCooldown: 300, AvailabilityZones: [], HealthCheckType: 'ELB', CreatedTime: new Date(0),
    LaunchTemplate: { LaunchTemplateId: `lt-${service}`, Version: '1' }, Tags: [{ Key: 'strato.project', Value: 'shop' }, { Key: 'strato.service', Value: service }],
  })
  const internal: { item: LoadBalancer; tags: Record<string, string> } = {
    item: { LoadBalancerArn: 'lb-internal', Scheme: 'internal', State: { Code: 'active' } },
    tags: { 'strato.project': 'shop', 'strato.role': 'internal-load-balancer', 'strato.address': '10.0.1.250' },
  }
  const inventory = (groups: AutoScalingGroup[], templates: Record<string, string>, balancers = [internal]): AwsInventory => ({
    groups, loadBalancers: balancers, rules: [], securityGroups: [],
    targetGroups: [tg('db', 'private-target-group', 5432), tg('users', 'route-target-group', 8080)],
    launchTemplates: Object.entries(templates).map(([service, name]) => ({ LaunchTemplateId: `lt-${service}`, LaunchTemplateName: name })),
  })
  const hosts = [{ name: 'db', address: '10.0.1.250' }]
  const current = inventory(
    [group('db', ['tg-db-private-target-group']), group('users', ['tg-users-route-target-group'])],
    { db: templateName('shop', 'db', 'v1'), users: templateName('shop', 'users', 'v1', hosts) },
  )

  it('shows a private service at the internal address and its port, and the balancer at its address', () => {
    expect(serviceEndpoint(current, 'db')).toBe(privateEndpoint('10.0.1.250', 5432))
    expect(privateEndpoint('10.0.1.250', 5432)).toBe('10.0.1.250:5432 (private)')
    const resources = toResources(current, 'aws', 'eu-west-1', {}, ['db'])
    expect(resources.find((r) => r.kind === 'balancer')).toMatchObject({ endpoint: '10.0.1.250', details: { scheme: 'internal', shared: false, address: '10.0.1.250' } })
    expect(resources.find((r) => r.kind === 'group' && r.service === 'db')).toMatchObject({ endpoint: '10.0.1.250:5432 (private)', drift: undefined })
  })

  it('sees nothing to change when every container reaches the private services it should', () => {
    expect(privateDrift(current, 'db')).toEqual([])
    expect(hostsDrift(current, 'db', ['db'])).toEqual([])
    expect(hostsDrift(current, 'users', ['db'])).toEqual([])
  })

  it('plans a move for a private service still on the public balancer, and new templates where --add-host is out of date', () => {
    const before = inventory(
      [group('db', ['tg-db-route-target-group']), group('users', ['tg-users-route-target-group'])],
      { db: templateName('shop', 'db', 'v1'), users: templateName('shop', 'users', 'v1') }, [],
    )
    before.targetGroups.push(tg('db', 'route-target-group', 5432))
    expect(privateDrift(before, 'db')).toEqual(['private: moves behind the internal load balancer', 'private: leaves the public load balancer'])
    expect(hostsDrift(before, 'users', ['db'])).toEqual(['containers reach db by name (--add-host)'])
    expect(hostsDrift(current, 'users', ['db', 'cache'])).toEqual(['containers reach cache, db by name (--add-host)'])
    expect(hostsDrift(current, 'users', [])).toEqual(['no private services to reach by name any more'])
    // db public now: it joins the shared balancer and leaves the internal one
    expect(frontDrift(current, 'db', { path: '/db' })).toEqual(['joins the target\'s shared load balancer (path /db)', 'public: leaves the internal load balancer'])
  })
})
