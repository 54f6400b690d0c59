import { describe, expect, it } from 'vitest'
import { descriptorOf } from '../../providers/descriptors.js'
import { SHIPPED_CATALOG, type PriceCatalog } from '../../src/costs/catalog.js'
import { capacityUnitsMilli, estimateManifest, replicaRange } from '../../src/costs/estimate.js'
import { estimateJson, estimateView, renderEstimateCsv, renderEstimateMarkdown, renderEstimateTable } from '../../src/costs/estimate-report.js'
import { ManifestSchema, type Manifest } from '../../src/manifest/schema.js'
import { placeReplicas } from '../../src/placement.js'

const manifest = (data: unknown): Manifest => ManifestSchema.parse(data)

// A small catalog with round prices, so every expected figure is computed by hand below.
const catalog: PriceCatalog = {
  version: 1,
  date: '2026-01-01',
  source: 'test prices',
  currency: 'USD',
  hoursPerMonth: 730,
  providers: {
    aws: {
      rootDisk: 'gp3, 8 GiB', loadBalancer: 'ALB', internalLoadBalancer: 'NLB', internalCapacityUnit: { name: 'NLCU', newConnectionsPerSecond: 800 },
      regions: { 'eu-west-1': { loadBalancerHourly: 0.025, internalLoadBalancerHourly: 0.0225, internalCapacityUnitHourly: 0.006, diskMonthly: 0.8, instances: { 't3.small': 0.02, 'm5.large': 0.1 } } },
    },
    gcp: {
      rootDisk: 'pd', loadBalancer: 'rule', internalLoadBalancer: 'internal rule',
      regions: { 'europe-west1': { loadBalancerHourly: 0.025, internalLoadBalancerHourly: 0.025, diskMonthly: 1, instances: { 'e2-small': 0.016751 } } },
    },
  },
}

const image = 'local/node:24'

describe('placeReplicas', () => {
  const hybrid = manifest({
    name: 'shop',
    services: { web: { image }, pinned: { image, targets: ['gcp'] } },
    targets: { onprem: { provider: 'docker' }, aws: { provider: 'aws', region: 'eu-west-1' }, gcp: { provider: 'gcp', project: 'acme-prod', zone: 'europe-west1-b' } },
    placement: [{ target: 'onprem', max: 2 }, { target: 'aws', max: 3 }],
  })

  it('fills targets in order up to max and keeps overflow on the last one', () => {
    expect(placeReplicas(hybrid, 'web', 1)).toEqual({ onprem: 1 })
    expect(placeReplicas(hybrid, 'web', 4)).toEqual({ onprem: 2, aws: 2 })
    expect(placeReplicas(hybrid, 'web', 9)).toEqual({ onprem: 2, aws: 7 })
    expect(placeReplicas(hybrid, 'web', 0)).toEqual({})
  })

  it('sends a service with targets only there', () => {
    expect(placeReplicas(hybrid, 'pinned', 5)).toEqual({ gcp: 5 })
  })

  it('puts everything on the first target without placement, or on the local default target', () => {
    const plain = manifest({ name: 'a', services: { web: { image } }, targets: { aws: { provider: 'aws', region: 'eu-west-1' }, gcp: { provider: 'gcp', project: 'acme-prod', zone: 'europe-west1-b' } } })
    expect(placeReplicas(plain, 'web', 3)).toEqual({ aws: 3 })
    expect(placeReplicas(manifest({ name: 'a', services: { web: { image } } }), 'web', 2)).toEqual({ local: 2 })
  })
})

describe('replicaRange', () => {
  it('uses replicas as expected, else the midpoint of min and max rounded up', () => {
    expect(replicaRange({ image, replicas: 3 })).toEqual({ min: 3, expected: 3, max: 3 })
    expect(replicaRange({ image })).toEqual({ min: 1, expected: 1, max: 1 })
    expect(replicaRange({ image, autoscale: { min: 2, max: 7 } })).toEqual({ min: 2, expected: 5, max: 7 })
    expect(replicaRange({ image, replicas: 3, autoscale: { min: 2, max: 7 } })).toEqual({ min: 2, expected: 3, max: 7 })
  })
})

describe('estimateManifest', () => {
  it('prices replicas × 730 h × hourly price, a disk per replica and one balancer for the target\'s public services', () => {
    const estimate = estimateManifest(manifest({
      name: 'shop',
      services: { api: { image, port: 8080, health: '/healthz', replicas: 3 }, worker: { image, replicas: 2 } },
      targets: { aws: { provider: 'aws', region: 'eu-west-1', instanceType: 'm5.large' } },
    }), catalog, descriptorOf)
    const view = estimateView(estimate)
    // api: 3 × 730 × 0.10 = 219.00; disks 3 × 0.80 = 2.40
    // worker: 2 × 730 × 0.10 = 146.00; disks 2 × 0.80 = 1.60; the balancer: 730 × 0.025 = 18.25
    expect(view.rows.map((row) => [row.service, row.item, row.cents?.expected])).toEqual([
      ['api', 'compute', 21900n], ['api', 'disk', 240n],
      ['worker', 'compute', 14600n], ['worker', 'disk', 160n],
      ['(shared balancer)', 'load-balancer', 1825n],
    ])
    expect(view.rows[4].sku).toBe('ALB for api')
    expect(view.totals).toEqual({ min: 38725n, expected: 38725n, max: 38725n })
    expect(estimate.complete).toBe(true)
    expect(estimate.warnings).toEqual([])
  })

  it('prices one balancer per target and project however many services share it, and its capacity units from their summed request rates', () => {
    const withUnits: PriceCatalog = {
      ...catalog,
      providers: {
        ...catalog.providers,
        aws: {
          ...catalog.providers.aws!,
          capacityUnit: { name: 'LCU', newConnectionsPerSecond: 25, ruleEvaluationsPerSecond: 1000, freeRules: 10 },
          regions: { 'eu-west-1': { ...catalog.providers.aws!.regions['eu-west-1'], capacityUnitHourly: 0.008 } },
        },
      },
    }
    const shop = (requests: Record<string, number | undefined>) => manifest({
      name: 'shop',
      services: Object.fromEntries(['users', 'orders', 'payments'].map((name) => [name, {
        image, port: 8080, health: '/healthz', replicas: 2, autoscale: { min: 1, max: 4, target: requests[name] === undefined ? { cpu: 60 } : { requests: requests[name] } },
      }])),
      targets: { aws: { provider: 'aws', region: 'eu-west-1', instanceType: 't3.small' } },
    })
    const estimate = estimateManifest(shop({ users: 50, orders: 20, payments: 5 }), withUnits, descriptorOf)
    const shared = estimate.lines.filter((line) => line.service === '(shared balancer)')
    expect(shared.map((line) => [line.item, line.sku, line.quantity])).toEqual([
      ['load-balancer', 'ALB for users, orders, payments', { min: 1, expected: 1, max: 1 }],
      // (50 + 20 + 5) req/s per replica × 1, 2, 4 replicas, one new connection each: 75, 150, 300 per second over 25
      ['load-balancer-capacity', 'LCU for users, orders, payments', { min: 3, expected: 6, max: 12 }],
    ])
    // 6 LCU × 0.008 × 730 = 35.04 expected; 3 → 17.52; 12 → 70.08
    expect(estimateView(estimate).rows.find((row) => row.item === 'load-balancer-capacity')?.cents).toEqual({ min: 1752n, expected: 3504n, max: 7008n })
    expect(estimate.warnings).toEqual([])

    const partly = estimateManifest(shop({ users: 50 }), withUnits, descriptorOf)
    expect(partly.lines.find((line) => line.item === 'load-balancer-capacity')).toMatchObject({ sku: 'LCU for users', quantity: { min: 2, expected: 4, max: 8 } })
    expect(partly.warnings).toEqual(['LCU on target "aws" count only the services that declare a request rate; orders, payments declare none (autoscale.target.requests)'])
    expect(estimateManifest(shop({ users: 50, orders: 20 }), withUnits, descriptorOf).warnings).toEqual([
      'LCU on target "aws" count only the services that declare a request rate; payments declares none (autoscale.target.requests)',
    ])
    const none = estimateManifest(shop({}), withUnits, descriptorOf)
    expect(none.lines.filter((line) => line.item.startsWith('load-balancer')).map((line) => line.item)).toEqual(['load-balancer'])
    expect(none.warnings).toEqual(['LCU on target "aws" are not priced: no service there declares a request rate (services.<name>.autoscale.target.requests)'])
    expect(none.complete).toBe(true)
  })

  it('prices an internal balancer where a target has private services, and the public one only where it has public services', () => {
    const shop = (db: Record<string, unknown>) => manifest({
      name: 'shop',
      services: { users: { image, port: 8080, health: '/healthz', replicas: 2 }, db: { image, port: 5432, ...db }, mailer: { image } },
      targets: { aws: { provider: 'aws', region: 'eu-west-1', instanceType: 't3.small' } },
    })
    const estimate = estimateManifest(shop({ replicas: 1 }), catalog, descriptorOf)
    // the public balancer for users: 730 × 0.025 = 18.25; the internal one for db: 730 × 0.0225 = 16.425
    expect(estimateView(estimate).rows.filter((row) => row.service.startsWith('(')).map((row) => [row.service, row.item, row.sku, row.cents?.expected])).toEqual([
      ['(shared balancer)', 'load-balancer', 'ALB for users', 1825n],
      ['(internal balancer)', 'internal-load-balancer', 'NLB for db', 1643n],
    ])
    expect(estimate.warnings).toEqual(['NLCU on target "aws" are not priced: no private service there declares a request rate (services.<name>.autoscale.target.requests)'])

    // capacity units from the private services' declared rates, one new connection per request, 800 a second per NLCU:
    // 400 req/s × 1, 2, 2 replicas -> 0.5, 1, 1 NLCU; × 0.006 × 730 = 2.19, 4.38, 4.38
    const busy = estimateManifest(shop({ autoscale: { min: 1, max: 2, target: { requests: 400 } } }), catalog, descriptorOf)
    const units = busy.lines.find((line) => line.item === 'internal-load-balancer-capacity')!
    expect([units.service, units.sku, units.quantity]).toEqual(['(internal balancer)', 'NLCU for db', { min: 0.5, expected: 1, max: 1 }])
    expect(estimateView(busy).rows.find((row) => row.item === 'internal-load-balancer-capacity')?.cents).toEqual({ min: 219n, expected: 438n, max: 438n })
    expect(busy.warnings).toEqual([])

    // only private services: no public balancer; no service with a port: no balancer at all
    const onlyDb = estimateManifest(manifest({ name: 'shop', services: { db: { image, port: 5432 } }, targets: { aws: { provider: 'aws', region: 'eu-west-1' } } }), catalog, descriptorOf)
    expect(onlyDb.lines.filter((line) => line.service.startsWith('(')).map((line) => line.item)).toEqual(['internal-load-balancer'])
    const onlyWorker = estimateManifest(manifest({ name: 'shop', services: { mailer: { image } }, targets: { aws: { provider: 'aws', region: 'eu-west-1' } } }), catalog, descriptorOf)
    expect(onlyWorker.lines.map((line) => line.item)).toEqual(['compute', 'disk'])

    // GCP: an internal forwarding rule
    const gcp = estimateManifest(manifest({
      name: 'shop', services: { db: { image, port: 5432, expose: 'private' } }, targets: { gcp: { provider: 'gcp', project: 'acme-prod', zone: 'europe-west1-b', machineType: 'e2-small' } },
    }), catalog, descriptorOf)
    expect(gcp.lines.filter((line) => line.service === '(internal balancer)').map((line) => [line.sku, line.monthly?.expected])).toEqual([['internal rule for db', 18_250_000_000n]])
  })

  it('prices the shipped catalog\'s internal balancers: AWS\'s Network Load Balancer, Azure\'s Standard Load Balancer, a GCP internal forwarding rule', () => {
    const targets = {
      aws: { provider: 'aws', region: 'us-east-1', instanceType: 't3.small' },
      azure: { provider: 'azure', location: 'eastus', vmSize: 'Standard_B2s' },
      gcp: { provider: 'gcp', project: 'acme-prod', zone: 'us-central1-a', machineType: 'e2-small' },
    }
    for (const [target, config] of Object.entries(targets)) {
      const estimate = estimateManifest(manifest({ name: 'shop', services: { db: { image, port: 5432 } }, targets: { [target]: config } }), SHIPPED_CATALOG, descriptorOf)
      const line = estimate.lines.find((candidate) => candidate.item === 'internal-load-balancer')!
      expect([target, line.sku, line.unitPrice]).toEqual({
        aws: ['aws', 'Network Load Balancer, internal (hourly charge) for db', '0.0225'],
        azure: ['azure', 'Standard Load Balancer, internal (first five rules; data processed extra) for db', '0.025'],
        gcp: ['gcp', 'internal forwarding rule (first five; data processed extra) for db', '0.025'],
      }[target])
    }
    expect(SHIPPED_CATALOG.providers.aws!.regions['us-east-1'].internalCapacityUnitHourly).toBe(0.006)
    expect(SHIPPED_CATALOG.providers.aws!.internalCapacityUnit).toEqual({ name: 'NLB capacity units (NLCU)', newConnectionsPerSecond: 800 })
  })

  it('counts capacity units on rule evaluations when a balancer has more rules than are free', () => {
    const model = { name: 'LCU', newConnectionsPerSecond: 25, ruleEvaluationsPerSecond: 1000, freeRules: 10 }
    // 1000 req/s: 40 LCU as new connections; through 60 rules, 50 evaluated beyond the free 10: 50,000/s = 50 LCU
    expect(capacityUnitsMilli(1000, 5, model)).toBe(40_000n)
    expect(capacityUnitsMilli(1000, 60, model)).toBe(50_000n)
    expect(capacityUnitsMilli(1, 3, model)).toBe(40n)
    expect(capacityUnitsMilli(0, 3, model)).toBe(0n)
  })

  it('shows autoscaling as min-expected-max, with overflow placed on the next target', () => {
    const estimate = estimateManifest(manifest({
      name: 'shop',
      services: { web: { image, autoscale: { min: 1, max: 5, target: { cpu: 60 } } } },
      targets: {
        aws: { provider: 'aws', region: 'eu-west-1', instanceType: 't3.small' },
        gcp: { provider: 'gcp', project: 'acme-prod', zone: 'europe-west1-b', machineType: 'e2-small' },
      },
      placement: [{ target: 'aws', max: 2 }, { target: 'gcp' }],
    }), catalog, descriptorOf)
    const view = estimateView(estimate)
    const compute = view.rows.filter((row) => row.item === 'compute')
    expect(compute.map((row) => [row.target, row.quantity])).toEqual([
      ['aws', { min: 1, expected: 2, max: 2 }],
      ['gcp', { min: 0, expected: 1, max: 3 }],
    ])
    // aws: 730 × 0.02 = 14.60 per replica; gcp: 730 × 0.016751 = 12.22823 per replica
    expect(compute[0].cents).toEqual({ min: 1460n, expected: 2920n, max: 2920n })
    // max: 3 × 12.22823 = 36.68469 -> 36.68
    expect(compute[1].cents).toEqual({ min: 0n, expected: 1223n, max: 3668n })
    // min: 14.60 + 0.80 disk; expected: 29.20 + 1.60 + 12.22823 + 1.00 = 44.02823; max: 29.20 + 1.60 + 36.68469 + 3.00 = 70.48469
    expect(view.totals).toEqual({ min: 1540n, expected: 4403n, max: 7048n })
  })

  it('charges docker services their dominant share of the hosts, plus the idle remainder', () => {
    const estimate = estimateManifest(manifest({
      name: 'shop',
      services: {
        'cpu-heavy': { image, replicas: 2, resources: { cpu: 2, memory: '1Gi' } },
        'mem-heavy': { image, replicas: 1, resources: { cpu: 0.5, memory: '16Gi' } },
      },
      targets: { rack: { provider: 'docker', hosts: ['ssh://ops@a', 'ssh://ops@b'], cost: { purchase: 3600, months: 36, power: 20, cpus: 8, memory: '32Gi' } } },
    }), catalog, descriptorOf)
    // per host 3600 / 36 + 20 = 120; two hosts: 240 for 16 CPUs and 64 GiB
    // cpu-heavy: max(2/16, 1/64) = 12.5% each -> 2 × 30 = 60; mem-heavy: max(0.5/16, 16/64) = 25% -> 60; idle 120
    const view = estimateView(estimate)
    expect(view.rows.map((row) => [row.service, row.item, row.cents?.expected])).toEqual([
      ['cpu-heavy', 'host-share', 6000n], ['mem-heavy', 'host-share', 6000n], ['(idle capacity)', 'idle-capacity', 12000n],
    ])
    expect(view.totals.expected).toBe(24000n)
  })

  it('prices an instance type missing from the catalog as unknown, names it, and makes the total a lower bound', () => {
    const estimate = estimateManifest(manifest({
      name: 'shop',
      services: { web: { image, replicas: 2 } },
      targets: { aws: { provider: 'aws', region: 'eu-west-1', instanceType: 'x9.huge' } },
    }), catalog, descriptorOf)
    expect(estimate.warnings).toEqual(['instance type x9.huge (aws eu-west-1, target "aws") is not in the price catalog; priced as unknown'])
    expect(estimate.complete).toBe(false)
    const json = estimateJson(estimate)
    expect(json.lines[0]).toMatchObject({ item: 'compute', sku: 'x9.huge', monthly: { min: null, expected: null, max: null }, unitPrice: null })
    expect(json.total).toEqual({ min: 1.6, expected: 1.6, max: 1.6 })
    expect(json.atLeast).toEqual({ min: true, expected: true, max: true })
    expect(renderEstimateTable(estimate)).toMatch(/TOTAL\s+at least 1\.60/)
    expect(renderEstimateCsv(estimate)).toContain('at least 1.60')
    expect(renderEstimateMarkdown(estimate)).toContain('Expected monthly cost: **at least 1.60 USD**')
  })

  it('counts an unknown price only in the scenarios where it has units', () => {
    // web overflows to gcp (an unknown machine type) only at max replicas
    const estimate = estimateManifest(manifest({
      name: 'shop',
      services: { web: { image, autoscale: { min: 1, max: 3, target: { cpu: 50 } } } },
      targets: {
        aws: { provider: 'aws', region: 'eu-west-1', instanceType: 't3.small' },
        gcp: { provider: 'gcp', project: 'acme-prod', zone: 'europe-west1-b', machineType: 'z9-mega' },
      },
      placement: [{ target: 'aws', max: 2 }, { target: 'gcp' }],
    }), catalog, descriptorOf)
    const json = estimateJson(estimate)
    expect(json.atLeast).toEqual({ min: false, expected: false, max: true })
    expect(json.lines.find((line) => line.sku === 'z9-mega')?.monthly).toEqual({ min: 0, expected: 0, max: null })
    // min 14.60 + 0.80; expected 2 × 15.40; max the same known part plus 1.00 for the gcp disk
    expect(json.total).toEqual({ min: 15.4, expected: 30.8, max: 31.8 })
    expect(renderEstimateTable(estimate)).toMatch(/TOTAL\s+15\.40\s+30\.80\s+at least 31\.80/)
  })

  it('treats a docker target without a declared cost as unknown, never as free', () => {
    const estimate = estimateManifest(manifest({ name: 'a', services: { web: { image } } }), catalog, descriptorOf)
    expect(estimate.complete).toBe(false)
    expect(estimate.lines).toHaveLength(1)
    expect(estimate.warnings[0]).toContain('target "local" declares no host cost')
  })

  it('rounds every line so the lines add up to the total to the cent', () => {
    // 7 services, each reserving a ninth of a 100/month host.
    const services = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`s${i}`, { image, resources: { cpu: 1 } }]))
    const estimate = estimateManifest(manifest({
      name: 'a', services, targets: { box: { provider: 'docker', cost: { monthly: 100, cpus: 9, memory: '9Gi' } } },
    }), catalog, descriptorOf)
    const view = estimateView(estimate)
    // each 100 / 9 = 11.111... -> 11.11; idle 2/9 × 100 = 22.222... takes the missing cent (largest remainder)
    const cents = view.rows.map((row) => row.cents.expected!)
    expect(cents.reduce((a, b) => a + b, 0n)).toBe(view.totals.expected)
    expect(view.totals.expected).toBe(10000n)
    expect(cents).toEqual([...Array(7).fill(1111n), 2223n])
  })

  it('prices with the shipped snapshot and names its source and date', () => {
    const estimate = estimateManifest(manifest({
      name: 'a', services: { web: { image, replicas: 1 } }, targets: { aws: { provider: 'aws', region: 'us-east-1', instanceType: 't3.small' } },
    }), SHIPPED_CATALOG, descriptorOf)
    // 730 × 0.0208 = 15.184 -> 15.18, plus the 0.64 disk
    expect(estimateJson(estimate).total?.expected).toBe(15.82)
    expect(renderEstimateTable(estimate)).toContain(`(${SHIPPED_CATALOG.date})`)
  })
})
