/**
 * What one more replica of a service costs per hour on each target, for the
 * autoscaling simulator: on clouds the instance's hourly price plus its root
 * disk (and the target's load balancer while any replica runs), from the price
 * catalog; on-prem the replica's share of the hosts' cost (the on-prem model in
 * onprem.ts). The hosts' unreserved share is left out: it is paid whatever a
 * scaling policy does, so it would not tell two policies apart.
 */
import { effectiveTargets } from '../manifest/defaults.js'
import type { Manifest } from '../manifest/schema.js'
import { sizeBytes } from '../manifest/units.js'
import { pricedPlacement, type DescriptorLookup } from '../capabilities.js'
import { regionPrices, type PriceCatalog } from './catalog.js'
import { divideHalfEven, toNanos } from './money.js'
import { chargeShare, containerShare, hostFields, hostPool } from './onprem.js'

export interface ReplicaRate {
  /** nanos per replica-hour; absent when the price is unknown */
  perReplicaHour?: bigint
  /** nanos per hour while the target runs at least one replica (a cloud load balancer) */
  whileRunningHour?: bigint
  /** what the rate is made of, for people */
  basis: string
  /** why the price is unknown */
  unknown?: string
}

export function replicaRates(manifest: Manifest, catalog: PriceCatalog, descriptors: DescriptorLookup, service: string, targetNames: string[]): Record<string, ReplicaRate> {
  const targets = effectiveTargets(manifest)
  const spec = manifest.services[service]
  const hours = BigInt(catalog.hoursPerMonth)
  const rates: Record<string, ReplicaRate> = {}
  for (const name of targetNames) {
    const target = targets[name]
    const descriptor = descriptors(target.provider)
    const where = pricedPlacement(descriptor, target)
    if (!where) {
      // Priced by its hosts' declared cost: the on-prem model.
      const pool = hostPool(name, hostFields(target))
      const cpu = spec.resources?.cpu
      const memory = spec.resources?.memory
      if ('unknown' in pool) rates[name] = { basis: 'share of hosts', unknown: pool.unknown }
      else if (cpu === undefined && memory === undefined) rates[name] = { basis: 'share of hosts', unknown: `services.${service} reserves no resources; set services.${service}.resources.cpu and memory` }
      else {
        const share = containerShare(pool, cpu ?? 0, memory === undefined ? 0 : sizeBytes(memory))
        rates[name] = { perReplicaHour: divideHalfEven(chargeShare(pool, share), hours), basis: `${(share * 100).toFixed(1)}% of ${pool.hosts} host${pool.hosts === 1 ? '' : 's'}` }
      }
      continue
    }
    const currency = manifest.budgets?.currency ?? catalog.currency
    if (currency !== catalog.currency) {
      rates[name] = { basis: `${where.size} in ${where.region}`, unknown: `the price catalog is in ${catalog.currency}, budgets.currency is ${currency}` }
      continue
    }
    const prices = regionPrices(catalog, descriptor.kind, where.region)
    const hourly = prices?.instances[where.size]
    if (hourly === undefined) {
      rates[name] = { basis: `${where.size} in ${where.region}`, unknown: `${descriptor.title} ${where.size} in ${where.region} is not in the price catalog` }
      continue
    }
    const disk = prices?.diskMonthly === undefined ? 0n : divideHalfEven(toNanos(prices.diskMonthly), hours)
    const balancer = spec.port !== undefined && prices?.loadBalancerHourly !== undefined ? toNanos(prices.loadBalancerHourly) : undefined
    rates[name] = { perReplicaHour: toNanos(hourly) + disk, whileRunningHour: balancer, basis: `${where.size} in ${where.region}${disk ? ' + root disk' : ''}${balancer ? ' (+ load balancer)' : ''}` }
  }
  return rates
}
