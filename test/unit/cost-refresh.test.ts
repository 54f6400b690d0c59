// refresh-prices at the wire: a local HTTP server answers with recorded, trimmed
// bodies shaped like the AWS Price List, Azure Retail Prices and Cloud Billing
// Catalog APIs (see test/fixtures/cost/prices/README.md). No internet.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CatalogSchema, SHIPPED_CATALOG } from '../../src/costs/catalog.js'
import { refreshPrices, type RefreshOptions } from '../../src/costs/refresh/refresh.js'
import { UserError } from '../../src/errors.js'
import type { Progress } from '../../src/model.js'

const fixtures = path.resolve('test/fixtures/cost/prices')
const requests: string[] = []
let server: Server
let base = ''

function route(url: URL): { file: string; type: string } | { status: number } {
  const aws = /^\/offers\/v1\.0\/aws\/(AmazonEC2|AWSELB)\/current\/(eu-west-1)\/index\.csv$/.exec(url.pathname)
  if (aws) return { file: `aws/${aws[1]}-${aws[2]}.csv`, type: 'text/csv' }
  if (url.pathname === '/api/retail/prices') {
    if (url.searchParams.get('api-version') !== '2023-01-01-preview') return { status: 400 }
    const filter = url.searchParams.get('$filter') ?? ''
    if (filter.includes("'Virtual Machines'")) return { file: url.searchParams.get('$skip') === '100' ? 'azure/vm-westeurope-page2.json' : 'azure/vm-westeurope-page1.json', type: 'application/json' }
    if (filter.includes("'Load Balancer'")) return { file: 'azure/lb-westeurope.json', type: 'application/json' }
    if (filter.includes("'Storage'")) return { file: 'azure/disk-westeurope.json', type: 'application/json' }
  }
  if (url.pathname === '/v1/services/6F81-5844-456A/skus') {
    if (url.searchParams.get('key') !== 'test-key') return { status: 403 }
    return { file: url.searchParams.get('pageToken') === 'page-2' ? 'gcp/skus-page2.json' : 'gcp/skus-page1.json', type: 'application/json' }
  }
  return { status: 404 }
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    requests.push(`${url.pathname}?${url.searchParams.toString()}`)
    const found = route(url)
    if ('status' in found) {
      response.writeHead(found.status).end()
      return
    }
    response.writeHead(200, { 'content-type': found.type }).end(readFileSync(path.join(fixtures, found.file)))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const warnings: string[] = []
const progress: Progress = { step() {}, done() {}, warn: (message) => warnings.push(message) }

const options = (overrides: Partial<RefreshOptions> = {}): RefreshOptions => ({
  base: SHIPPED_CATALOG,
  providers: ['aws', 'azure', 'gcp'],
  regions: ['eu-west-1', 'westeurope', 'europe-west1'],
  endpoints: { aws: base, azure: base, gcp: base },
  fetch: (url, init) => fetch(url, init),
  gcpApiKey: 'test-key',
  today: '2026-11-25',
  progress,
  ...overrides,
})

describe('refresh-prices', () => {
  it('reads AWS offer files, Azure retail prices and Google SKUs into a new dated catalog', async () => {
    const { catalog, regions } = await refreshPrices(options())
    expect(CatalogSchema.parse(catalog)).toBeTruthy()
    expect(catalog.date).toBe('2026-11-25')
    expect(catalog.source).toContain('AWS Price List API')
    expect(catalog.source).toContain('Azure Retail Prices API (2023-01-01-preview)')
    expect(catalog.source).toContain('Cloud Billing Catalog API (v1)')

    // AWS: Linux shared on-demand only; gp3 8 GiB × 0.088; ALB hours and LCU hours, NLB hours and NLCU hours apart
    const aws = catalog.providers.aws!.regions['eu-west-1']
    expect(aws.instances['t3.small']).toBe(0.0236)
    expect(aws.instances['m5.large']).toBe(0.107)
    expect(aws.instances['t3.nano']).toBe(0.0057)
    expect(aws.diskMonthly).toBe(0.704)
    expect(aws.loadBalancerHourly).toBe(0.0252)
    expect(aws.capacityUnitHourly).toBe(0.008)
    expect(aws.internalLoadBalancerHourly).toBe(0.0252)
    expect(aws.internalCapacityUnitHourly).toBe(0.006)

    // Azure: both pages, Linux consumption meters only
    const azure = catalog.providers.azure!.regions.westeurope
    expect(azure.instances.Standard_B2s).toBe(0.0496)
    expect(azure.instances.Standard_D2s_v5).toBe(0.115)
    expect(azure.loadBalancerHourly).toBe(0.025)
    expect(azure.internalLoadBalancerHourly).toBe(0.025)
    expect(azure.diskMonthly).toBe(2.64)

    // GCP: vCPUs × core + GiB × RAM of the series; e2-small is 0.5 vCPU and 2 GiB
    const gcp = catalog.providers.gcp!.regions['europe-west1']
    expect(gcp.instances['e2-small']).toBe(0.018418) // 0.5 × 0.02398 + 2 × 0.003214
    expect(gcp.instances['n2-standard-2']).toBe(0.106932) // 2 × 0.034806 + 8 × 0.004665
    expect(gcp.instances['n1-standard-1']).toBe(0.05233875) // 0.03483 + 3.75 × 0.004669
    expect(gcp.diskMonthly).toBe(1.1)
    expect(gcp.loadBalancerHourly).toBe(0.025)
    expect(gcp.internalLoadBalancerHourly).toBe(0.025)

    // What a source did not price is kept and reported, never dropped.
    expect(regions.find((r) => r.provider === 'gcp')!.kept).toEqual(['t2d-standard-1'])
    expect(aws.instances['c5.large']).toBe(SHIPPED_CATALOG.providers.aws!.regions['eu-west-1'].instances['c5.large'])
    expect(warnings.some((w) => w.startsWith('aws eu-west-1: no price for c5.large'))).toBe(true)
    // Other regions are untouched.
    expect(catalog.providers.aws!.regions['us-east-1']).toEqual(SHIPPED_CATALOG.providers.aws!.regions['us-east-1'])
  })

  it('follows pagination and sends the API version, filters and key', async () => {
    requests.length = 0
    await refreshPrices(options())
    expect(requests.filter((r) => r.startsWith('/api/retail/prices'))).toHaveLength(4) // 2 VM pages, LB, disk
    expect(requests.filter((r) => r.startsWith('/v1/services/'))).toEqual([
      expect.stringContaining('key=test-key'), expect.stringContaining('pageToken=page-2'),
    ])
    const vm = requests.find((r) => r.includes('Virtual+Machines'))!
    expect(decodeURIComponent(vm.replaceAll('+', ' '))).toContain("armRegionName eq 'westeurope' and priceType eq 'Consumption' and (armSkuName eq 'Standard_B1ms' or")
  })

  it('skips GCP without an API key and says so in the source', async () => {
    warnings.length = 0
    const { catalog, skipped } = await refreshPrices(options({ gcpApiKey: undefined }))
    expect(skipped).toEqual([{ provider: 'gcp', reason: 'the Cloud Billing Catalog API needs an API key: set STRATO_GCP_API_KEY' }])
    expect(catalog.providers.gcp).toEqual(SHIPPED_CATALOG.providers.gcp)
    expect(catalog.source).toContain(`other prices kept from: ${SHIPPED_CATALOG.source}`)
  })

  it('turns an error answer into a user error naming the source', async () => {
    const error = await refreshPrices(options({ providers: ['aws'], regions: ['us-east-1'] })).catch((caught) => caught)
    expect(error).toBeInstanceOf(UserError)
    expect(error.message).toBe('The AWS Price List API answered 404 Not Found for /offers/v1.0/aws/AmazonEC2/current/us-east-1/index.csv.')
  })

  it('reports an unreachable source as exit code 4', async () => {
    const error = await refreshPrices(options({ providers: ['azure'], endpoints: { aws: base, azure: 'http://127.0.0.1:1', gcp: base } })).catch((caught) => caught)
    expect(error).toBeInstanceOf(UserError)
    expect(error.exitCode).toBe(4)
  })
})
