/**
 * One scaling decision per service across all its targets (on-prem and
 * cloud): the metric is combined over the targets that answered, weighted by
 * their replicas; the policy (cooldown, stabilisation, scale-in limits) runs
 * once on the service's total; the total is then placed by the same rules as
 * deploy (src/placement.ts): fill in placement order up to each max, overflow
 * to the next, so fewer replicas drain the last-filled target first.
 * Pure: the live controller and the simulator both call it.
 */
import { fillInOrder, slotCapacity, type PlacementSlot } from '../placement.js'
import { evaluatePolicy, type ControllerPolicy, type ControllerState, type Decision, type Observation } from './policy.js'

/** What one target reported for a service this round. */
export interface TargetReading {
  target: string
  /** running replicas; absent when the target could not be read */
  replicas?: number
  observed?: Observation
  /** why the target could not be read */
  error?: string
}

export type MoveAction = 'scale-out' | 'scale-in' | 'hold' | 'skipped'

/** The decision for one target, with its reason. */
export interface TargetMove {
  target: string
  /** replicas before; absent when the target could not be read */
  from?: number
  /** replicas wanted; absent when the target is skipped */
  to?: number
  action: MoveAction
  reason: string
  /** at its placement max after this move */
  full?: boolean
  /** set when reading or scaling the target failed */
  error?: string
}

export interface ServiceDecision extends Decision {
  /** the metric combined over the targets that answered */
  observed: Observation
  targets: TargetMove[]
  /** one line for people: "orders 6 -> 9: cpu 84% vs target 60%; onprem full at 6, aws 0 -> 3" */
  summary: string
}

/**
 * CPU and memory averaged over all replicas (each target weighted by its
 * replicas); request rates added up. Targets without a value are left out.
 */
export function combineObservations(readings: TargetReading[]): Observation {
  const combined: Observation = {}
  for (const metric of ['cpu', 'memory'] as const) {
    let weight = 0
    let sum = 0
    for (const reading of readings) {
      const value = reading.observed?.[metric]
      if (value === undefined || !reading.replicas) continue
      weight += reading.replicas
      sum += value * reading.replicas
    }
    if (weight > 0) combined[metric] = Math.round((sum / weight) * 10) / 10
  }
  const rates = readings.map((reading) => reading.observed?.requests).filter((value): value is number => value !== undefined)
  if (rates.length > 0) combined.requests = rates.reduce((sum, value) => sum + value, 0)
  return combined
}

export interface ServiceInput {
  service: string
  /** the autoscale block as the controller runs it (controllerPolicy) */
  policy: ControllerPolicy
  /** the service's targets in fill order (placementOrder) */
  slots: PlacementSlot[]
  readings: TargetReading[]
  state: ControllerState
  /** epoch ms */
  now: number
}

export function decideService(input: ServiceInput): { decision: ServiceDecision; state: ControllerState } {
  const { service, policy, slots } = input
  const byTarget = new Map(input.readings.map((reading) => [reading.target, reading]))
  const answered = slots.filter((slot) => byTarget.get(slot.target)?.replicas !== undefined)
  const current = answered.reduce((sum, slot) => sum + byTarget.get(slot.target)!.replicas!, 0)
  const observed = combineObservations(answered.map((slot) => byTarget.get(slot.target)!))

  if (answered.length === 0) {
    const targets = slots.map((slot) => skipped(slot.target, byTarget.get(slot.target)))
    const reason = 'no target answered'
    return {
      decision: { service, current, desired: current, action: 'hold', reason, recommendation: current, observed, targets, summary: `${service}: ${reason}; ${targets.map(moveText).join(', ')}` },
      state: input.state,
    }
  }

  // The autoscaler never places beyond the placement maxes of the targets that answered.
  const capacity = slotCapacity(answered)
  const bounded = capacity < policy.max ? { ...policy, max: Math.max(capacity, 0) } : policy
  const { decision, state } = evaluatePolicy(service, bounded, current, observed, input.state, input.now)
  const reasons = [decision.reason]
  if (bounded !== policy && decision.recommendation >= capacity && decision.desired === capacity) reasons.push(`placement holds at most ${capacity} on ${answered.map((slot) => slot.target).join(' + ')}`)

  const { placed } = fillInOrder(answered, decision.desired)
  const wanted = new Map(placed.map((entry) => [entry.target, entry.replicas]))
  const targets = slots.map((slot, index): TargetMove => {
    const reading = byTarget.get(slot.target)
    if (reading?.replicas === undefined) return skipped(slot.target, reading)
    return move(slot, reading.replicas, wanted.get(slot.target)!, slots.slice(0, index).filter((earlier) => wanted.has(earlier.target)), wanted, decision.desired - current)
  })
  const reason = reasons.join('; ')
  const summary = `${service} ${current} -> ${decision.desired}: ${reason}; ${targets.filter((entry) => entry.from !== 0 || entry.to !== 0).map(moveText).join(', ')}`
  return { decision: { ...decision, reason, observed, targets, summary }, state }
}

function skipped(target: string, reading: TargetReading | undefined): TargetMove {
  const error = reading?.error ?? 'no reading'
  return { target, action: 'skipped', reason: `could not be read (${error}); left as it is, the other targets still scale`, error }
}

/** Why one target goes from `from` to `to`, in terms of its place in the fill order. */
function move(slot: PlacementSlot, from: number, to: number, earlier: PlacementSlot[], wanted: Map<string, number>, change: number): TargetMove {
  const full = slot.max !== undefined && to === slot.max
  const before = earlier.map((other) => `${other.target} full at ${wanted.get(other.target)}`).join(', ')
  if (to === from) {
    const reason = full ? `full at ${to} (placement max ${slot.max})` : to === 0 ? 'not needed: earlier targets hold the service' : `keeps ${to}`
    return { target: slot.target, from, to, action: 'hold', reason, full }
  }
  if (to > from) {
    const why = change <= 0 ? 'moved back here: earlier in placement order' : before ? `overflow: ${before}` : 'first in placement order'
    return { target: slot.target, from, to, action: 'scale-out', reason: `${from} -> ${to}: ${why}${full ? `; full at ${to}` : ''}`, full }
  }
  const why = change >= 0 ? 'moved to earlier targets in placement order' : to === 0 ? 'drained first: filled last' : 'drained before earlier targets: filled later'
  return { target: slot.target, from, to, action: 'scale-in', reason: `${from} -> ${to}: ${slot.max !== undefined && from > slot.max ? `above placement max ${slot.max}; ` : ''}${why}` }
}

function moveText(entry: TargetMove): string {
  if (entry.action === 'skipped') return `${entry.target} unreachable`
  if (entry.from === entry.to) return entry.full ? `${entry.target} full at ${entry.to}` : `${entry.target} ${entry.to}`
  return `${entry.target} ${entry.from} -> ${entry.to}`
}
