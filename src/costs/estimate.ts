/**
 * The estimate: what the manifest costs per month as it would be deployed.
 * replicas × hours × hourly price, per service and target, with placement
 * honoured and autoscaled services priced at min, expected and max; on a
 * cloud target, one public load balancer shared by the project's public
 * services there and one internal balancer shared by its private ones
 * (src/exposure.ts), each with its capacity units from the request rates
 * those services declare.
 */
import { pricedPlacement, type DescriptorLookup } from '../capabilities.js'
import { notSupported } from '../errors.js'
import { exposureOf } from '../exposure.js'
import { desiredReplicas, effectiveTargets } from '../manifest/defaults.js'
import type { Manifest, ProviderKind, Service } from '../manifest/schema.js'
import { sizeBytes } from '../manifest/units.js'
import { placeReplicas } from '../placement.js'
import { providerPrices, regionPrices, type CapacityUnitModel, type PriceCatalog, type ProviderPriceList, type RegionPriceList } from './catalog.js'
import { nanosText, toNanos } from './money.js'
import { chargeShare, containerShare, hostFields, hostPool, type HostPool } from './onprem.js'

export const SCENARIOS = ['min', 'expected', 'max'] as const
export type Scenario = (typeof SCENARIOS)[number]
export type PerScenario<T> = Record<Scenario, T>

export type LineItem = 'compute' | 'disk' | 'load-balancer' | 'load-balancer-capacity' | 'internal-load-balancer' | 'internal-load-balancer-capacity' | 'host-share' | 'idle-capacity'

/** The service name on lines that belong to no service: hosts' capacity nobody reserved. */
export const IDLE_SERVICE = '(idle capacity)'
/** The service name on the lines of a target's public balancer, which all its public services share. */
export const SHARED_SERVICE = '(shared balancer)'
/** The service name on the lines of a target's internal balancer, which all its private services share. */
export const INTERNAL_SERVICE = '(internal balancer)'

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
  const fronts = new Map<string, BalancerFront>()
  const internals = new Map<string, BalancerFront>()
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
      const exposure = exposureOf(manifest.services[service])
      const byTarget = exposure === 'public' ? fronts : exposure === 'private' ? internals : undefined
      if (byTarget) {
        const front = byTarget.get(targetName) ?? { provider: kind, prices, list, services: [] }
        front.services.push({ name: service, replicas: quantity, requests: manifest.services[service].autoscale?.target?.requests })
        byTarget.set(targetName, front)
      }
    }
  }

  for (const [targetName, front] of fronts) lines.push(...balancerLines(targetName, front, PUBLIC_BALANCER, hours, warnOnce))
  for (const [targetName, front] of internals) lines.push(...balancerLines(targetName, front, INTERNAL_BALANCER, hours, warnOnce))

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

/** A cloud target's balancer and the services it fronts there, each with its replicas per scenario and declared request rate. */
interface BalancerFront {
  provider: ProviderKind
  prices?: RegionPriceList
  list?: ProviderPriceList
  services: { name: string; replicas: PerScenario<number>; requests?: number }[]
}

/** Where the lines of a public or an internal balancer take their names and prices from. */
interface BalancerKind {
  service: string
  item: LineItem
  capacityItem: LineItem
  /** who declares the request rates, in warnings */
  whose: string
  name: (list?: ProviderPriceList) => string
  hourly: (prices?: RegionPriceList) => number | undefined
  units: (list?: ProviderPriceList) => CapacityUnitModel | undefined
  unitHourly: (prices?: RegionPriceList) => number | undefined
}

const PUBLIC_BALANCER: BalancerKind = {
  service: SHARED_SERVICE, item: 'load-balancer', capacityItem: 'load-balancer-capacity', whose: 'service',
  name: (list) => list?.loadBalancer ?? 'load balancer', hourly: (prices) => prices?.loadBalancerHourly,
  units: (list) => list?.capacityUnit, unitHourly: (prices) => prices?.capacityUnitHourly,
}

const INTERNAL_BALANCER: BalancerKind = {
  service: INTERNAL_SERVICE, item: 'internal-load-balancer', capacityItem: 'internal-load-balancer-capacity', whose: 'private service',
  name: (list) => list?.internalLoadBalancer ?? 'internal load balancer', hourly: (prices) => prices?.internalLoadBalancerHourly,
  units: (list) => list?.internalCapacityUnit, unitHourly: (prices) => prices?.internalCapacityUnitHourly,
}

/**
 * One balancer of each kind per target and project, whatever the number of services, and
 * its capacity units where the catalog prices them: the services' request
 * rates summed (requests per second per replica × replicas), counted both as
 * new connections (one per request: an upper bound for clients that keep
 * connections open) and as rule evaluations beyond the free ones, the larger
 * of the two. Bytes processed are not modelled.
 */
function balancerLines(target: string, front: BalancerFront, balancer: BalancerKind, hours: bigint, warn: (text: string) => void): EstimateLine[] {
  const { provider, prices, list } = front
  const balancers = each((s) => (front.services.some((service) => service.replicas[s] > 0) ? 1 : 0))
  const hourly = balancer.hourly(prices)
  const names = front.services.map((service) => service.name).join(', ')
  const lines: EstimateLine[] = [{
    service: balancer.service, target, provider, item: balancer.item, sku: `${balancer.name(list)} for ${names}`, quantity: balancers, unit: 'hour',
    unitPrice: decimal(hourly), monthly: hourly === undefined ? undefined : each((s) => toNanos(hourly) * hours * BigInt(balancers[s])),
  }]
  const unitPrice = balancer.unitHourly(prices)
  const model = balancer.units(list)
  if (!model || unitPrice === undefined) return lines
  const silent = front.services.filter((service) => service.requests === undefined).map((service) => service.name)
  if (silent.length === front.services.length) {
    warn(`${model.name} on target "${target}" are not priced: no ${balancer.whose} there declares a request rate (services.<name>.autoscale.target.requests)`)
    return lines
  }
  if (silent.length > 0) warn(`${model.name} on target "${target}" count only the services that declare a request rate; ${silent.join(', ')} ${silent.length === 1 ? 'declares' : 'declare'} none (autoscale.target.requests)`)
  const milli = each((s) => capacityUnitsMilli(front.services.reduce((sum, service) => sum + (service.requests ?? 0) * service.replicas[s], 0), front.services.length, model))
  lines.push({
    service: balancer.service, target, provider, item: balancer.capacityItem, sku: `${model.name} for ${front.services.filter((service) => service.requests !== undefined).map((service) => service.name).join(', ')}`,
    quantity: each((s) => Number(milli[s]) / 1000), unit: 'hour', unitPrice: decimal(unitPrice),
    monthly: each((s) => (toNanos(unitPrice) * hours * milli[s]) / 1000n),
  })
  return lines
}

/** Capacity units for a request rate through `rules` rules, in thousandths, rounded up. */
export function capacityUnitsMilli(requestsPerSecond: number, rules: number, model: CapacityUnitModel): bigint {
  const connections = requestsPerSecond / model.newConnectionsPerSecond
  // a balancer without rules (TCP listeners) is charged by connections alone
  const evaluations = model.ruleEvaluationsPerSecond === undefined ? 0 : (requestsPerSecond * Math.max(0, rules - (model.freeRules ?? 0))) / model.ruleEvaluationsPerSecond
  return BigInt(Math.ceil(Math.max(connections, evaluations) * 1000 - 1e-9))
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
