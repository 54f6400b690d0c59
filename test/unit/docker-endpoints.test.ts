import { describe, expect, it } from 'vitest'
import type { Manifest } from '../../src/manifest/schema.js'
import type { Resource } from '../../src/model.js'
import { balancerPorts, withEndpoints } from '../../providers/docker/endpoints.js'

describe('docker balancer ports and endpoints', () => {
  const manifest: Manifest = {
    name: 'shop',
    services: { users: { image: 'u', port: 3000, health: '/h' }, db: { image: 'p', port: 5432 }, orders: { image: 'o', port: 3000, health: '/h' } },
    loadBalancer: { algorithm: 'round-robin', port: 9000 },
  }

  it('fronts HTTP services only, on deterministic ports', () => {
    expect(balancerPorts(manifest)).toEqual({ users: 9000, orders: 9001 })
    expect(balancerPorts({ ...manifest, loadBalancer: undefined })).toEqual({ users: 8080, orders: 8081 })
  })

  it('reads endpoints back from each host\'s running balancer onto the replicas there', () => {
    const balancer: Resource = { id: 'lb', kind: 'balancer', target: 'onprem', location: 'ssh://ops@db1', state: 'running', labels: { 'strato.project': 'shop', 'strato.role': 'balancer', 'strato.publish': '0.0.0.0', 'strato.ports': '9000,9001' } }
    const replica = (service: string, location: string): Resource => ({ id: `${service}@${location}`, kind: 'container', target: 'onprem', service, location, state: 'running', labels: {} })
    const resources = withEndpoints(manifest, [balancer, replica('users', 'ssh://ops@db1'), replica('orders', 'ssh://ops@db1'), replica('users', 'unix:///var/run/docker.sock')])
    expect(resources.map((resource) => [resource.id, resource.endpoint])).toEqual([
      ['lb', undefined],
      ['users@ssh://ops@db1', 'http://db1:9000'],
      ['orders@ssh://ops@db1', 'http://db1:9001'],
      // no balancer answers on that host
      ['users@unix:///var/run/docker.sock', undefined],
    ])
  })
})
