/**
 * On-prem hosts: a docker target declares what a host costs (per month, or a
 * purchase price amortised over months, plus power), and each service is
 * charged its share of the hosts by what its containers reserve or use.
 *
 * A container's share is its dominant resource: the larger of its CPU share
 * and its memory share of the hosts' capacity, because whichever runs out
 * first decides how many containers fit.
 */
import { usageError } from '../errors.js'
import type { DockerTargetConfig } from '../manifest/schema.js'
import { sizeBytes } from '../manifest/units.js'
import { divideHalfEven, toNanos } from './money.js'

export interface HostPool {
  hosts: number
  /** what all hosts of the target cost per month, in nanos */
  monthly: bigint
  /** total CPUs and memory (bytes) over all hosts */
  cpus: number
  memory: number
}

/**
 * The target's hosts as a pool to share, or why they cannot be priced.
 * Throws a usage error for a contradictory cost block (purchase without months).
 */
/** The fields of a host-priced target the pool is built from (docker's hosts and cost). */
export type HostPoolTarget = Pick<DockerTargetConfig, 'hosts' | 'cost'>

/** A target's host fields, whatever its kind: the descriptor decides whether it is priced by hosts. */
export function hostFields(target: object): HostPoolTarget {
  const fields = target as Partial<HostPoolTarget>
  return { hosts: fields.hosts, cost: fields.cost }
}

export function hostPool(targetName: string, target: HostPoolTarget): HostPool | { unknown: string } {
  const cost = target.cost
  const at = `targets.${targetName}.cost`
  if (!cost) return { unknown: `target "${targetName}" declares no host cost; add ${at} with monthly (or purchase and months), cpus and memory` }
  if (cost.purchase !== undefined && cost.monthly === undefined && cost.months === undefined) {
    throw usageError(`${at}.purchase needs months to amortise it over.`, `Add ${at}.months, e.g. months: 36.`)
  }
  if (cost.monthly === undefined && cost.purchase === undefined) {
    return { unknown: `${at} has neither monthly nor purchase; add one of them` }
  }
  if (cost.cpus === undefined || cost.memory === undefined) {
    return { unknown: `${at} needs cpus and memory to share the hosts between services` }
  }
  const hosts = target.hosts?.length ?? 1
  const perHost = cost.monthly !== undefined
    ? toNanos(cost.monthly)
    : toNanos(cost.purchase!) / BigInt(cost.months!) // months is a positive integer
  const power = toNanos(cost.power ?? 0)
  return { hosts, monthly: (perHost + power) * BigInt(hosts), cpus: cost.cpus * hosts, memory: sizeBytes(cost.memory) * hosts }
}

/** One container's share of the pool (0..1 when it fits), by its reservation. */
export function containerShare(pool: HostPool, cpu: number, memoryBytes: number): number {
  return Math.max(cpu / pool.cpus, memoryBytes / pool.memory)
}

/**
 * Shares the pool's monthly cost by the given shares, in nanos. Used both for
 * reservations (estimates) and for measured use (actual spend on docker).
 */
export function chargeShare(pool: HostPool, share: number): bigint {
  // Shares are floats; 1e9 steps keep the error below a nano per currency unit.
  const scaled = BigInt(Math.round(share * 1e9))
  return divideHalfEven(pool.monthly * scaled, 1_000_000_000n)
}

/** One day of a docker target's modelled spend: each service's share, and the idle rest. */
export interface OnPremDay {
  date: string
  service: string
  nanos: bigint
}

/**
 * Spend on a docker target, day by day, as the on-prem model charges it: the
 * hosts' monthly cost spread over the days of each month, each service
 * charged its share by the containers running (counted by the caller) times
 * what each reserves, the rest shown as idle capacity.
 */
export function onPremDailySpend(
  pool: HostPool,
  reservations: Record<string, { cpu: number; memory: number }>,
  running: Record<string, number>,
  days: string[],
  idleService: string,
): OnPremDay[] {
  const lines: OnPremDay[] = []
  for (const date of days) {
    const [year, month] = date.split('-').map(Number)
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
    const dayCost = divideHalfEven(pool.monthly, BigInt(daysInMonth))
    let used = 0n
    for (const [service, count] of Object.entries(running)) {
      const reserved = reservations[service]
      if (!reserved || count === 0) continue
      const share = containerShare(pool, reserved.cpu, reserved.memory) * count
      const nanos = divideHalfEven(dayCost * BigInt(Math.round(share * 1e9)), 1_000_000_000n)
      used += nanos
      lines.push({ date, service, nanos })
    }
    if (dayCost > used) lines.push({ date, service: idleService, nanos: dayCost - used })
  }
  return lines
}
