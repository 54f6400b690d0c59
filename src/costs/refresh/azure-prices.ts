/**
 * Azure pay-as-you-go prices from the Azure Retail Prices API
 * (GET /api/retail/prices, api-version 2023-01-01-preview), which needs no
 * credentials. Pages are followed through NextPageLink. Linux prices only:
 * Windows, Spot and Low Priority meters are skipped.
 */
import { fetchJson, type Fetch, type RegionRefresh } from './fetch-json.js'

export const AZURE_RETAIL_PRICES = 'https://prices.azure.com'
const SOURCE = 'Azure Retail Prices API'
const API_VERSION = '2023-01-01-preview'

interface RetailItem {
  currencyCode: string
  retailPrice: number
  armRegionName: string
  armSkuName: string
  meterName: string
  productName: string
  skuName: string
  serviceName: string
  unitOfMeasure: string
  type: string
}

interface RetailPage {
  Items: RetailItem[]
  NextPageLink: string | null
}

async function allItems(fetcher: Fetch, base: string, filter: string, signal?: AbortSignal): Promise<RetailItem[]> {
  const items: RetailItem[] = []
  let url: string | null = `${base}/api/retail/prices?api-version=${API_VERSION}&$filter=${encodeURIComponent(filter)}`
  // A bound on pages, in case a server keeps sending links.
  for (let page = 0; url && page < 200; page++) {
    const body: RetailPage = await fetchJson<RetailPage>(fetcher, url, SOURCE, signal)
    items.push(...(body.Items ?? []))
    url = body.NextPageLink ? rebase(body.NextPageLink, base) : null
  }
  return items
}

/** NextPageLink is absolute; keep following it on the configured base (a mirror or a test server). */
function rebase(link: string, base: string): string {
  const next = new URL(link)
  return `${base}${next.pathname}${next.search}`
}

export async function fetchAzureRegion(fetcher: Fetch, base: string, region: string, sizes: string[], signal?: AbortSignal): Promise<RegionRefresh> {
  const result: RegionRefresh = { instances: {} }
  const skuFilter = sizes.map((size) => `armSkuName eq '${size}'`).join(' or ')
  const vms = await allItems(fetcher, base, `serviceName eq 'Virtual Machines' and armRegionName eq '${region}' and priceType eq 'Consumption' and (${skuFilter})`, signal)
  for (const item of vms) {
    if (item.type !== 'Consumption' || item.unitOfMeasure !== '1 Hour' || item.currencyCode !== 'USD') continue
    if (/Windows/i.test(item.productName) || /Spot|Low Priority/i.test(item.skuName)) continue
    result.instances[item.armSkuName] = item.retailPrice
  }
  const balancers = await allItems(fetcher, base, `serviceName eq 'Load Balancer' and armRegionName eq '${region}' and priceType eq 'Consumption'`, signal)
  const rules = balancers.find((item) => item.meterName === 'Standard Included LB Rules and Outbound Rules' && item.unitOfMeasure === '1 Hour')
  // an internal Standard Load Balancer is charged by the same rules meter as a public one
  if (rules) result.loadBalancerHourly = result.internalLoadBalancerHourly = rules.retailPrice
  const disks = await allItems(fetcher, base, `serviceName eq 'Storage' and armRegionName eq '${region}' and priceType eq 'Consumption' and meterName eq 'E4 LRS Disk'`, signal)
  const disk = disks.find((item) => item.productName === 'Standard SSD Managed Disks' && item.unitOfMeasure === '1/Month')
  if (disk) result.diskMonthly = disk.retailPrice
  return result
}
