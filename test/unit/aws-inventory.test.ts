import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { costLines, costRequest } from '../../providers/aws/cost-explorer.js'
import { instanceFact } from '../../providers/aws/facts.js'
import { toResources } from '../../providers/aws/inventory.js'

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/aws/${name}.json`, import.meta.url), 'utf8'))

describe('aws inventory from tags', () => {
  const groups = fixture('describe_auto_scaling_groups').AutoScalingGroups
  const instances = fixture('describe_instances').Reservations[0].Instances
  const resources = toResources({ groups, loadBalancers: [], targetGroups: [], securityGroups: [], launchTemplates: [] }, 'aws', 'eu-west-1')

  it('reports the group with its counts, version and state', () => {
    const group = resources.find((r) => r.kind === 'group')!
    expect(group).toMatchObject({
      service: 'users', version: '905d131c891d', state: 'pending', health: 'starting', location: 'eu-west-1',
      details: { name: 'strato-shop-users', min: 1, max: 4, desired: 2, inService: 1, healthy: 1, launchTemplate: { id: 'lt-0abc', version: '1' } },
    })
  })

  it('reports each group member as a replica, its version from its launch template', () => {
    expect(resources.filter((r) => r.kind === 'instance').map((r) => [r.id, r.service, r.version, r.state, r.health, r.details?.zone])).toEqual([
      ['i-0001', 'users', '905d131c891d', 'running', 'healthy', 'eu-west-1a'],
      ['i-0002', 'users', '0123456789ab', 'pending', 'starting', 'eu-west-1b'],
    ])
  })

  it('adds project instances no group lists when EC2 was listed too', () => {
    const full = toResources({ groups, instances, loadBalancers: [], targetGroups: [], securityGroups: [], launchTemplates: [] }, 'aws', 'eu-west-1')
    expect(full.filter((r) => r.kind === 'instance').map((r) => [r.id, r.service, r.state])).toEqual([
      ['i-0001', 'users', 'running'], ['i-0002', 'users', 'pending'], ['i-0009', 'orders', 'stopped'],
    ])
  })

  it('turns instances into facts with public IPs and IMDS settings', () => {
    expect(instanceFact(instances[1], 'aws')).toEqual({
      kind: 'aws.instance', resource: 'i-0002', target: 'aws',
      data: { instanceId: 'i-0002', publicIp: '203.0.113.7', httpTokens: 'optional', tags: { 'strato.project': 'shop', 'strato.service': 'users', 'strato.version': '905d131c891d' } },
    })
  })
})

describe('aws actual spend', () => {
  it('asks Cost Explorer for the project, grouped by service', () => {
    expect(costRequest('shop', { start: '2026-10-01T00:00:00Z', end: '2026-12-01', granularity: 'monthly' })).toEqual({
      TimePeriod: { Start: '2026-10-01', End: '2026-12-01' }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'],
      Filter: { Tags: { Key: 'strato.project', Values: ['shop'], MatchOptions: ['EQUALS'] } },
      GroupBy: [{ Type: 'TAG', Key: 'strato.service' }], NextPageToken: undefined,
    })
  })

  it('turns grouped results into cost lines; untagged spend has no service', () => {
    expect(costLines(fixture('get_cost_and_usage').ResultsByTime, 'aws')).toEqual([
      { provider: 'aws', target: 'aws', service: 'users', date: '2026-10-01', amount: 41.2034, currency: 'USD', source: 'aws cost explorer' },
      { provider: 'aws', target: 'aws', service: undefined, date: '2026-10-01', amount: 3.5, currency: 'USD', source: 'aws cost explorer' },
      { provider: 'aws', target: 'aws', date: '2026-11-01', amount: 12, currency: 'USD', source: 'aws cost explorer' },
    ])
  })
})
