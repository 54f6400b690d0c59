/**
 * `strato cost refresh-prices`: a new catalog from the providers' public
 * price sources, starting from the current one. Prices a source does not
 * return are kept from the current catalog, and the report says which.
 */
import type { Progress } from '../../model.js'
import type { CloudKind, PriceCatalog, ProviderPriceList, RegionPriceList } from '../catalog.js'
import { AWS_PRICE_LIST, fetchAwsRegion } from './aws-prices.js'
import { AZURE_RETAIL_PRICES, fetchAzureRegion } from './azure-prices.js'
import type { Fetch, RegionRefresh } from './fetch-json.js'
import { fetchComputeSkus, gcpRegionPrices, GCP_BILLING_CATALOG } from './gcp-prices.js'

/** One public price source: its name, default endpoint, and how it prices a region of the catalog. */
interface PriceSource {
  name: string
  endpoint: string
  /** why it cannot be queried with these options (an API key it needs), if so */
  missing?(options: RefreshOptions): { reason: string; warning: string } | undefined
  /** prepares what the regions share (one catalog download), then prices one region at a time */
  open(request: { fetch: Fetch; endpoint: string; options: RefreshOptions; list: ProviderPriceList; sizes: string[] }): Promise<(region: string) => Promise<RegionRefresh>>
}

/** The catalog's price sources, by the catalog's own keys. */
const PRICE_SOURCES: Record<CloudKind, PriceSource> = {
  aws: {
    name: 'AWS Price List API (bulk offer files v1.0)',
    endpoint: AWS_PRICE_LIST,
    open: async ({ fetch, endpoint, options, list }) => (region) => fetchAwsRegion(fetch, endpoint, region, rootDiskGiB(list.rootDisk, 8), options.signal),
  },
  azure: {
    name: 'Azure Retail Prices API (2023-01-01-preview)',
    endpoint: AZURE_RETAIL_PRICES,
    open: async ({ fetch, endpoint, options, sizes }) => (region) => fetchAzureRegion(fetch, endpoint, region, sizes, options.signal),
  },
  gcp: {
    name: 'Cloud Billing Catalog API (v1)',
    endpoint: GCP_BILLING_CATALOG,
    missing: (options) => (options.gcpApiKey ? undefined : {
      reason: 'the Cloud Billing Catalog API needs an API key: set STRATO_GCP_API_KEY',
      warning: 'gcp: skipped, no API key (set STRATO_GCP_API_KEY); its prices are kept',
    }),
    open: async ({ fetch, endpoint, options, list }) => {
      const skus = await fetchComputeSkus(fetch, endpoint, options.gcpApiKey!, options.signal)
      return async (region) => gcpRegionPrices(skus, region, list.machineShapes ?? {}, rootDiskGiB(list.rootDisk, 10))
    },
  },
}

export const CLOUD_KINDS = Object.keys(PRICE_SOURCES) as CloudKind[]
export const DEFAULT_ENDPOINTS = Object.fromEntries(CLOUD_KINDS.map((kind) => [kind, PRICE_SOURCES[kind].endpoint])) as Record<CloudKind, string>

export interface RefreshOptions {
  base: PriceCatalog
  providers: CloudKind[]
  /** only these regions (default: every region of the current catalog) */
  regions?: string[]
  endpoints: Record<CloudKind, string>
  fetch: Fetch
  /** the Cloud Billing Catalog API needs an API key; without one GCP is skipped */
  gcpApiKey?: string
  /** YYYY-MM-DD: the new catalog's date (passed in: the core reads no clock) */
  today: string
  progress: Progress
  signal?: AbortSignal
}

export interface RegionReport {
  provider: CloudKind
  region: string
  instances: number
  loadBalancer: boolean
  disk: boolean
  /** instance types of the current catalog the source did not price: kept as they were */
  kept: string[]
}

export interface RefreshResult {
  catalog: PriceCatalog
  regions: RegionReport[]
  skipped: { provider: CloudKind; reason: string }[]
}

/** The root disk size in GiB, read from the catalog's description ("gp3, 8 GiB"). */
function rootDiskGiB(description: string | undefined, fallback: number): number {
  const match = /(\d+(?:\.\d+)?)\s*GiB/.exec(description ?? '')
  return match ? Number(match[1]) : fallback
}

export async function refreshPrices(options: RefreshOptions): Promise<RefreshResult> {
  const { base, progress } = options
  const catalog: PriceCatalog = structuredClone(base)
  const regions: RegionReport[] = []
  const skipped: RefreshResult['skipped'] = []
  const refreshed: CloudKind[] = []

  for (const provider of options.providers) {
    const list = catalog.providers[provider]
    if (!list) {
      skipped.push({ provider, reason: 'the current catalog has no entry for it to extend' })
      continue
    }
    const source = PRICE_SOURCES[provider]
    const missing = source.missing?.(options)
    if (missing) {
      skipped.push({ provider, reason: missing.reason })
      progress.warn(missing.warning)
      continue
    }
    // --region names regions of any provider: each provider takes the ones its catalog knows.
    const wanted = options.regions?.length ? options.regions.filter((region) => region in list.regions) : Object.keys(list.regions)
    if (wanted.length === 0) continue
    const sizes = [...new Set(Object.values(list.regions).flatMap((region) => Object.keys(region.instances)))].sort()
    const endpoint = options.endpoints[provider].replace(/\/+$/, '')
    const priceRegion = await source.open({ fetch: options.fetch, endpoint, options, list, sizes })
    for (const region of wanted) {
      progress.step(`${provider} ${region}: fetching prices from the ${source.name}`)
      const fresh = await priceRegion(region)
      const before: RegionPriceList = list.regions[region] ?? { instances: {} }
      const kept = Object.keys(before.instances).filter((size) => fresh.instances[size] === undefined).sort()
      list.regions[region] = {
        loadBalancerHourly: fresh.loadBalancerHourly ?? before.loadBalancerHourly,
        capacityUnitHourly: fresh.capacityUnitHourly ?? before.capacityUnitHourly,
        internalLoadBalancerHourly: fresh.internalLoadBalancerHourly ?? before.internalLoadBalancerHourly,
        internalCapacityUnitHourly: fresh.internalCapacityUnitHourly ?? before.internalCapacityUnitHourly,
        diskMonthly: fresh.diskMonthly ?? before.diskMonthly,
        instances: sortKeys({ ...before.instances, ...fresh.instances }),
      }
      regions.push({ provider, region, instances: Object.keys(fresh.instances).length, loadBalancer: fresh.loadBalancerHourly !== undefined, disk: fresh.diskMonthly !== undefined, kept })
      if (kept.length > 0) progress.warn(`${provider} ${region}: no price for ${kept.join(', ')}; kept from the previous catalog`)
    }
    refreshed.push(provider)
  }

  for (const region of options.regions ?? []) {
    if (!options.providers.some((provider) => base.providers[provider] && region in base.providers[provider]!.regions)) {
      progress.warn(`region ${region} is in no provider's catalog; it was not refreshed`)
    }
  }
  const keptFrom = options.providers.length < CLOUD_KINDS.length || skipped.length > 0
    ? `; other prices kept from: ${base.source} (${base.date})` : ''
  catalog.date = options.today
  catalog.source = refreshed.length > 0
    ? `${refreshed.map((provider) => PRICE_SOURCES[provider].name).join(', ')}, fetched by strato cost refresh-prices${keptFrom}`
    : base.source
  if (refreshed.length === 0) catalog.date = base.date
  return { catalog, regions, skipped }
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
