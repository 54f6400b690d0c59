/**
 * The estimate: what the manifest costs per month as it would be deployed.
 * replicas × hours × hourly price, per service and target, with placement
 * honoured and autoscaled services priced at min, expected and max.
 */
import { pricedPlacement, type DescriptorLookup } from '../capabilities.js'
import { notSupported } from '../errors.js'
import { desiredReplicas, effectiveTargets } from '../manifest/defaults.js'
import type { Manifest, ProviderKind, Service } from '../manifest/schema.js'
import { sizeBytes } from '../manifest/units.js'
import { placeReplicas } from '../placement.js'
import { providerPrices, regionPrices, type PriceCatalog } from './catalog.js'
import { nanosText, toNanos } from './money.js'
import { chargeShare, containerShare, hostFields, hostPool, type HostPool } from './onprem.js'

export const SCENARIOS = ['min', 'expected', 'max'] as const
export type Scenario = (typeof SCENARIOS)[number]
export type PerScenario<T> = Record<Scenario, T>

export type LineItem = 'compute' | 'disk' | 'load-balancer' | 'host-share' | 'idle-capacity'

/** The service name on lines that belong to no service: hosts' capacity nobody reserved. */
export const IDLE_SERVICE = '(idle capacity)'

export interface EstimateLine {
  service: string
  target: string
  provider: ProviderKind
  item: LineItem
  /** what is priced: an instance type, a disk, a load balancer, a host pool */
  sku: string
  /** units priced per scenario: replicas, disks, load balancers */
  quantity: PerScenario<number>
  /** the unit price as a decimal string, per `unit` */
  unitPrice?: string
  unit: 'hour' | 'month'
  /** per month in nanos; undefined when the price is unknown (never zero) */
  monthly?: PerScenario<bigint>
}

export interface Estimate {
  project: string
  currency: string
  hoursPerMonth: number
  catalog: { source: string; date: string }
  lines: EstimateLine[]
  /** sums of the known lines, in nanos */
  totals: PerScenario<bigint>
  /** false when some line is unknown: the totals are then lower bounds */
  complete: boolean
  /** per scenario: false when a line priced as unknown has units in that scenario */
  completeIn: PerScenario<boolean>
  warnings: string[]
}

/**
 * Replicas a service is priced at. Without autoscale: replicas (default 1) in
 * every scenario. With autoscale: min and max from it, and expected = replicas
 * when set (it lies within min..max), else the midpoint rounded up.
 */
export function replicaRange(service: Service): PerScenario<number> {
  const scaling = service.autoscale
  if (!scaling) {
    const replicas = desiredReplicas(service)
    return { min: replicas, expected: replicas, max: replicas }
  }
  return { min: scaling.min, expected: service.replicas ?? Math.ceil((scaling.min + scaling.max) / 2), max: scaling.max }
}

const each = <T>(make: (scenario: Scenario) => T): PerScenario<T> =>
  ({ min: make('min'), expected: make('expected'), max: make('max') })

/** Prices each target as its descriptor says: from the catalog (region and size fields), or by its hosts' declared cost. */
export function estimateManifest(manifest: Manifest, catalog: PriceCatalog, descriptors: DescriptorLookup): Estimate {
  const targets = effectiveTargets(manifest)
  const currency = manifest.budgets?.currency ?? catalog.currency
  const warnings: string[] = []
  const warnOnce = (text: string) => { if (!warnings.includes(text)) warnings.push(text) }
  const lines: EstimateLine[] = []
  const hours = BigInt(catalog.hoursPerMonth)

  // Replicas per service and target, per scenario.
  const counts = new Map<string, Map<string, PerScenario<number>>>()
  for (const [name, service] of Object.entries(manifest.services)) {
    const range = replicaRange(service)
    const byTarget = new Map<string, PerScenario<number>>()
    for (const scenario of SCENARIOS) {
      for (const [target, count] of Object.entries(placeReplicas(manifest, name, range[scenario]))) {
        const entry = byTarget.get(target) ?? { min: 0, expected: 0, max: 0 }
        entry[scenario] += count
        byTarget.set(target, entry)
      }
    }
    counts.set(name, byTarget)
  }

  const pools = new Map<string, HostPool | { unknown: string }>()
  for (const [service, byTarget] of counts) {
    for (const [targetName, quantity] of byTarget) {
      const target = targets[targetName]
      const descriptor = descriptors(target.provider)
      const kind = descriptor.kind
      const where = pricedPlacement(descriptor, target)
      if (!where) {
        const pool = pools.get(targetName) ?? hostPool(targetName, hostFields(target))
        pools.set(targetName, pool)
        lines.push(hostShareLine(service, targetName, kind, manifest.services[service], pool, quantity, warnOnce))
        continue
      }
      if (currency !== catalog.currency) {
        throw notSupported(`Pricing ${kind} in ${currency} (the catalog is in ${catalog.currency})`, `Set budgets.currency to ${catalog.currency}, or leave it out.`)
      }
      if (where.assumed) warnOnce(`target "${targetName}" names no ${where.sizeField}; priced as ${where.size}`)
      const prices = regionPrices(catalog, kind, where.region)
      const hourly = prices?.instances[where.size]
      if (!prices) warnOnce(`region ${where.region} (${kind}, target "${targetName}") is not in the price catalog; its items are priced as unknown`)
      else if (hourly === undefined) warnOnce(`instance type ${where.size} (${kind} ${where.region}, target "${targetName}") is not in the price catalog; priced as unknown`)
      const perMonth = (price: number | undefined, factor: bigint) => price === undefined ? undefined : each((s) => toNanos(price) * factor * BigInt(quantity[s]))
      lines.push({ service, target: targetName, provider: kind, item: 'compute', sku: where.size, quantity, unit: 'hour', unitPrice: decimal(hourly), monthly: perMonth(hourly, hours) })
      const list = providerPrices(catalog, kind)
      const diskPrice = prices?.diskMonthly
      lines.push({ service, target: targetName, provider: kind, item: 'disk', sku: list?.rootDisk ?? 'root disk', quantity, unit: 'month', unitPrice: decimal(diskPrice), monthly: perMonth(diskPrice, 1n) })
      if (manifest.services[service].port !== undefined) {
        const balancers = each((s) => (quantity[s] > 0 ? 1 : 0))
        const lbPrice = prices?.loadBalancerHourly
        lines.push({ service, target: targetName, provider: kind, item: 'load-balancer', sku: list?.loadBalancer ?? 'load balancer', quantity: balancers, unit: 'hour', unitPrice: decimal(lbPrice), monthly: lbPrice === undefined ? undefined : each((s) => toNanos(lbPrice) * hours * BigInt(balancers[s])) })
      }
    }
  }

  for (const [targetName, pool] of pools) {
    if ('unknown' in pool) continue
    const pricing = descriptors(targets[targetName].provider).pricing
    if (pricing.model === 'hosts' && pricing.shared) continue
    lines.push(idleLine(targetName, targets[targetName].provider, pool, lines.filter((line) => line.target === targetName), warnOnce))
  }

  const known = lines.filter((line) => line.monthly !== undefined)
  return {
    project: manifest.name,
    currency,
    hoursPerMonth: catalog.hoursPerMonth,
    catalog: { source: catalog.source, date: catalog.date },
    lines,
    totals: each((s) => known.reduce((sum, line) => sum + line.monthly![s], 0n)),
    complete: known.length === lines.length,
    completeIn: each((s) => lines.every((line) => line.monthly !== undefined || line.quantity[s] === 0)),
    warnings,
  }
}

function hostShareLine(service: string, target: string, provider: ProviderKind, config: Service, pool: HostPool | { unknown: string }, quantity: PerScenario<number>, warn: (text: string) => void): EstimateLine {
  const line: EstimateLine = { service, target, provider, item: 'host-share', sku: 'share of hosts', quantity, unit: 'month' }
  if ('unknown' in pool) {
    warn(`${pool.unknown}; its services are priced as unknown`)
    return line
  }
  const cpu = config.resources?.cpu
  const memory = config.resources?.memory
  if (cpu === undefined && memory === undefined) {
    warn(`services.${service} reserves no resources, so its share of target "${target}" is unknown; set services.${service}.resources.cpu and memory`)
    return line
  }
  const share = containerShare(pool, cpu ?? 0, memory === undefined ? 0 : sizeBytes(memory))
  line.sku = `share of ${pool.hosts} host${pool.hosts === 1 ? '' : 's'} (${formatShare(share)} each)`
  line.unitPrice = nanosText(chargeShare(pool, share))
  line.monthly = each((s) => chargeShare(pool, share * quantity[s]))
  return line
}

/** What the hosts cost beyond the services' shares; the project pays for the hosts either way. */
function idleLine(target: string, provider: ProviderKind, pool: HostPool, onTarget: EstimateLine[], warn: (text: string) => void): EstimateLine {
  const quantity = { min: pool.hosts, expected: pool.hosts, max: pool.hosts }
  const line: EstimateLine = { service: IDLE_SERVICE, target, provider, item: 'idle-capacity', sku: `${pool.hosts} host${pool.hosts === 1 ? '' : 's'}, unreserved`, quantity, unit: 'month' }
  if (onTarget.some((other) => other.monthly === undefined)) return line
  line.monthly = each((s) => {
    const used = onTarget.reduce((sum, other) => sum + other.monthly![s], 0n)
    if (used > pool.monthly) {
      warn(`the ${s} reservations on target "${target}" exceed its ${pool.hosts} host${pool.hosts === 1 ? '' : 's'}; add hosts or lower placement.max`)
      return 0n
    }
    return pool.monthly - used
  })
  return line
}

function decimal(price: number | undefined): string | undefined {
  return price === undefined ? undefined : String(price)
}

function formatShare(share: number): string {
  return `${(share * 100).toFixed(share < 0.01 ? 2 : 1)}%`
}
