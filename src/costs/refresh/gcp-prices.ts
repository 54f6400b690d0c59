/**
 * Google Cloud on-demand prices from the Cloud Billing Catalog API
 * (GET /v1/services/6F81-5844-456A/skus, Compute Engine), which takes an API
 * key. Machine types are priced per vCPU hour and per GiB hour of their
 * series, so a machine type's price is vCPUs × core price + GiB × RAM price,
 * using the shapes kept in the catalog.
 */
import { round } from './aws-prices.js'
import { fetchJson, type Fetch, type RegionRefresh } from './fetch-json.js'

export const GCP_BILLING_CATALOG = 'https://cloudbilling.googleapis.com'
const COMPUTE_ENGINE = '6F81-5844-456A'
const SOURCE = 'Cloud Billing Catalog API'

interface Money {
  units?: string
  nanos?: number
}

interface Sku {
  description: string
  category: { resourceFamily: string; resourceGroup: string; usageType: string }
  serviceRegions: string[]
  pricingInfo: { pricingExpression: { usageUnit: string; tieredRates: { startUsageAmount: number; unitPrice: Money }[] } }[]
}

interface SkuPage {
  skus: Sku[]
  nextPageToken?: string
}

export interface MachineShape {
  series: string
  vcpus: number
  memoryGiB: number
}

function unitPrice(sku: Sku): number | undefined {
  const rates = sku.pricingInfo[0]?.pricingExpression.tieredRates ?? []
  // The first paid tier: some SKUs start with a free tier at 0.
  const rate = rates.find((tier) => Number(tier.unitPrice.units ?? 0) > 0 || (tier.unitPrice.nanos ?? 0) > 0)
  return rate ? Number(rate.unitPrice.units ?? 0) + (rate.unitPrice.nanos ?? 0) / 1e9 : undefined
}

/** Every Compute Engine SKU, following nextPageToken. */
export async function fetchComputeSkus(fetcher: Fetch, base: string, key: string, signal?: AbortSignal): Promise<Sku[]> {
  const skus: Sku[] = []
  let token = ''
  for (let page = 0; page < 200; page++) {
    const url = `${base}/v1/services/${COMPUTE_ENGINE}/skus?currencyCode=USD&pageSize=5000${token ? `&pageToken=${encodeURIComponent(token)}` : ''}&key=${encodeURIComponent(key)}`
    const body = await fetchJson<SkuPage>(fetcher, url, SOURCE, signal)
    skus.push(...(body.skus ?? []))
    if (!body.nextPageToken) break
    token = body.nextPageToken
  }
  return skus
}

const CORE = /^(\S+)(?: Predefined)? Instance Core running in /
const RAM = /^(\S+)(?: Predefined)? Instance Ram running in /

export function gcpRegionPrices(skus: Sku[], region: string, shapes: Record<string, MachineShape>, rootDiskGiB: number): RegionRefresh {
  const cores = new Map<string, number>()
  const ram = new Map<string, number>()
  const result: RegionRefresh = { instances: {} }
  for (const sku of skus) {
    if (!sku.serviceRegions.includes(region) || sku.category.usageType !== 'OnDemand') continue
    const price = unitPrice(sku)
    if (price === undefined) continue
    const unit = sku.pricingInfo[0].pricingExpression.usageUnit
    const core = CORE.exec(sku.description)
    const memory = RAM.exec(sku.description)
    if (core && unit === 'h') cores.set(core[1].toUpperCase(), price)
    else if (memory && unit === 'GiBy.h') ram.set(memory[1].toUpperCase(), price)
    else if (/^Balanced PD Capacity in /.test(sku.description) && unit === 'GiBy.mo') result.diskMonthly = round(price * rootDiskGiB)
    else if (/^Network Load Balancing: Forwarding Rule Minimum Service Charge in /.test(sku.description) && unit === 'h') {
      // internal forwarding rules are charged as external ones
      result.loadBalancerHourly = result.internalLoadBalancerHourly = price
    }
  }
  for (const [machineType, shape] of Object.entries(shapes)) {
    const core = cores.get(shape.series.toUpperCase())
    const memory = ram.get(shape.series.toUpperCase())
    if (core !== undefined && memory !== undefined) result.instances[machineType] = round(shape.vcpus * core + shape.memoryGiB * memory)
  }
  return result
}
