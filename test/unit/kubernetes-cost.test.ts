import { describe, expect, it } from 'vitest'
import { SHIPPED_CATALOG } from '../../src/costs/catalog.js'
import { allocate, CPU_HOURLY, nodePrice, RAM_GIB_HOURLY, type NodeInfo } from '../../providers/kubernetes/cost-allocation.js'

const GIB = 1024 ** 3
const onPremNode: NodeInfo = { name: 'n1', cpuCores: 8, memoryBytes: 32 * GIB, labels: {} }

describe('OpenCost-style allocation', () => {
  it('prices an on-prem node from the target\'s cost per node', () => {
    const price = nodePrice(onPremNode, { provider: 'kubernetes', cost: { monthly: 730 } }, { ...SHIPPED_CATALOG, hoursPerMonth: 730 })
    expect(price).toEqual({ hourly: 1, source: 'on-prem cost per node' })
  })

  it('prices a cloud node from the catalog by provider id, region and instance type', () => {
    const region = Object.keys(SHIPPED_CATALOG.providers.aws!.regions)[0]
    const [type, hourly] = Object.entries(SHIPPED_CATALOG.providers.aws!.regions[region].instances)[0]
    const node: NodeInfo = { ...onPremNode, providerID: `aws:///${region}a/i-0abc`, labels: { 'node.kubernetes.io/instance-type': type, 'topology.kubernetes.io/region': region } }
    expect(nodePrice(node, { provider: 'kubernetes' }, SHIPPED_CATALOG)).toMatchObject({ hourly })
  })

  it('says why a node cannot be priced', () => {
    expect(nodePrice(onPremNode, { provider: 'kubernetes' }, SHIPPED_CATALOG)).toHaveProperty('unknown')
  })

  it('charges each pod its requested share of the CPU and memory parts of the node, per day', () => {
    const cpuPart = (8 * CPU_HOURLY) / (8 * CPU_HOURLY + 32 * RAM_GIB_HOURLY)
    const lines = allocate({
      target: 'k8s', currency: 'USD',
      nodes: [onPremNode],
      prices: new Map([['n1', { hourly: 1, source: 'test' }]]),
      pods: [
        // 2 of 8 CPUs and 8 of 32 GiB for the whole first day and half of the second
        { service: 'users', node: 'n1', cpuCores: 2, memoryBytes: 8 * GIB, start: '2026-11-01T00:00:00Z', end: '2026-11-02T12:00:00Z' },
        // started before the period: only the hours inside it count
        { service: 'orders', node: 'n1', cpuCores: 1, memoryBytes: 0, start: '2026-10-31T12:00:00Z', end: '2026-11-01T06:00:00Z' },
      ],
      period: { start: '2026-11-01T00:00:00Z', end: '2026-11-03T00:00:00Z', granularity: 'daily' },
    })
    const users = 0.25 * cpuPart + 0.25 * (1 - cpuPart)
    expect(lines.map((line) => [line.service, line.date, line.amount])).toEqual([
      ['orders', '2026-11-01', Math.round((1 / 8) * cpuPart * 6 * 1e6) / 1e6],
      ['users', '2026-11-01', Math.round(users * 24 * 1e6) / 1e6],
      ['users', '2026-11-02', Math.round(users * 12 * 1e6) / 1e6],
    ])
    expect(lines.every((line) => line.provider === 'kubernetes' && line.target === 'k8s')).toBe(true)
  })
})
