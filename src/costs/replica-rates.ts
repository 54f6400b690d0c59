/**
 * What one more replica of a service costs per hour on each target, for the
 * autoscaling simulator: on clouds the instance's hourly price plus its root
 * disk (and the target's load balancer while any replica runs, unless another
 * service with a port keeps that balancer running anyway), from the price
 * catalog; on-prem the replica's share of the hosts' cost (the on-prem model in
 * onprem.ts). The hosts' unreserved share is left out: it is paid whatever a
 * scaling policy does, so it would not tell two policies apart.
 */
import { exposureOf } from '../exposure.js'
import { desiredReplicas, effectiveTargets } from '../manifest/defaults.js'
import type { Manifest } from '../manifest/schema.js'
import { sizeBytes } from '../manifest/units.js'
import { pricedPlacement, type DescriptorLookup } from '../capabilities.js'
import { placeReplicas } from '../placement.js'
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
    // a cloud target has one public balancer for the project's public services and one internal balancer for its private
    // ones (src/exposure.ts): another service of the same kind running there pays for it whatever this one does
    const exposure = exposureOf(spec)
    const sharing = exposure === 'none' ? [] : Object.entries(manifest.services)
      .filter(([other, otherSpec]) => other !== service && exposureOf(otherSpec) === exposure && (placeReplicas(manifest, other, desiredReplicas(otherSpec))[name] ?? 0) > 0)
      .map(([other]) => other)
    const balancerHourly = exposure === 'public' ? prices?.loadBalancerHourly : exposure === 'private' ? prices?.internalLoadBalancerHourly : undefined
    const balancer = sharing.length === 0 && balancerHourly !== undefined ? toNanos(balancerHourly) : undefined
    const kind = exposure === 'private' ? 'internal load balancer' : 'load balancer'
    const front = balancer ? ` (+ ${kind})` : sharing.length ? ` (${kind} shared with ${sharing.join(', ')})` : ''
    rates[name] = { perReplicaHour: toNanos(hourly) + disk, whileRunningHour: balancer, basis: `${where.size} in ${where.region}${disk ? ' + root disk' : ''}${front}` }
  }
  return rates
}
