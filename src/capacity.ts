/**
 * Capacity planning: replicas = ceil(peak × (1 + headroom) / (per-replica × target utilisation)),
 * plus one for N+1. Pure; the command prints the formula with the numbers.
 */
import { usageError } from './errors.js'

export interface CapacityInput {
  /** peak load, requests per second */
  peak: number
  /** what one replica serves at 100% utilisation, requests per second */
  perReplica: number
  /** utilisation to run at, 0 < u <= 1 */
  targetUtilization: number
  /** extra share of load to plan for, >= 0 */
  headroom: number
  nPlusOne: boolean
}

export interface CapacityResult extends CapacityInput {
  /** load per replica that the target utilisation allows */
  effectivePerReplica: number
  /** replicas before rounding up */
  exact: number
  base: number
  replicas: number
  /** utilisation each replica runs at with the final count, at peak */
  utilizationAtPeak: number
  formula: string[]
}

// Guards against 10.000000000000002 rounding up to 11.
const EPSILON = 1e-9

export function planCapacity(input: CapacityInput): CapacityResult {
  const { peak, perReplica, targetUtilization, headroom, nPlusOne } = input
  if (!(peak > 0)) throw usageError(`--rps must be a positive number, got ${peak}.`, 'Pass the peak request rate, e.g. --rps 5000.')
  if (!(perReplica > 0)) throw usageError(`--per-replica must be a positive number, got ${perReplica}.`, 'Pass what one replica serves at full load, e.g. --per-replica 800.')
  if (!(targetUtilization > 0 && targetUtilization <= 1)) {
    throw usageError(`--target-util must be above 0 and at most 1, got ${targetUtilization}.`, 'Pass a fraction, e.g. --target-util 0.7 for 70%.')
  }
  if (!(headroom >= 0)) throw usageError(`--headroom must be 0 or more, got ${headroom}.`, 'Pass a fraction, e.g. --headroom 0.2 for 20% extra.')

  const effectivePerReplica = perReplica * targetUtilization
  const load = peak * (1 + headroom)
  const exact = load / effectivePerReplica
  const base = Math.max(1, Math.ceil(exact - EPSILON))
  const replicas = base + (nPlusOne ? 1 : 0)
  const utilizationAtPeak = peak / (replicas * perReplica)

  const formula = [
    headroom > 0
      ? `replicas = ceil(peak × (1 + headroom) / (per-replica × target-util))`
      : `replicas = ceil(peak / (per-replica × target-util))`,
    headroom > 0
      ? `         = ceil(${fmt(peak)} × ${fmt(1 + headroom)} / (${fmt(perReplica)} × ${fmt(targetUtilization)}))`
      : `         = ceil(${fmt(peak)} / (${fmt(perReplica)} × ${fmt(targetUtilization)}))`,
    `         = ceil(${fmt(load)} / ${fmt(effectivePerReplica)}) = ceil(${fmt(exact, 3)}) = ${base}`,
  ]
  if (nPlusOne) formula.push(`N+1      = ${base} + 1 = ${replicas}`)
  formula.push(`at peak each replica runs at ${fmt(utilizationAtPeak * 100, 1)}% of its capacity`)
  return { ...input, effectivePerReplica, exact, base, replicas, utilizationAtPeak, formula }
}

function fmt(value: number, digits = 2): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(digits)))
}
