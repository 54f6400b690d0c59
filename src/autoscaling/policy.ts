/**
 * The scaling policy model, free of any engine: given a service's autoscale
 * settings, its current replicas, what was observed and what was decided
 * before, return the replicas it should have and why. The docker controller
 * runs it; cloud providers and the simulator reuse it.
 */
import type { Autoscale } from '../manifest/schema.js'
import { durationSeconds } from '../manifest/units.js'

export interface Observation {
  /** average CPU, percent of each replica's reservation */
  cpu?: number
  /** average memory, percent of each replica's limit */
  memory?: number
  /** requests per second across all replicas */
  requests?: number
}

export interface Recommendation {
  /** epoch ms */
  at: number
  replicas: number
}

export interface ControllerState {
  /** epoch ms of the last change applied */
  lastScaleAt?: number
  /** recent recommendations, for the stabilisation window */
  recommendations: Recommendation[]
}

export interface Decision {
  service: string
  current: number
  desired: number
  action: 'scale-out' | 'scale-in' | 'hold'
  reason: string
  /** what the metrics alone asked for, before the window and cooldown */
  recommendation: number
}

/** Within this fraction of the target, target tracking holds: no churn on noise. */
export const TOLERANCE = 0.1

function perReplica(metric: keyof Observation, observed: Observation, current: number): number | undefined {
  const value = observed[metric]
  if (value === undefined) return undefined
  return metric === 'requests' ? value / Math.max(current, 1) : value
}

function proposals(policy: Autoscale, current: number, observed: Observation): { replicas: number; why: string }[] {
  const out: { replicas: number; why: string }[] = []
  for (const metric of ['cpu', 'memory', 'requests'] as const) {
    const target = policy.target?.[metric]
    const value = perReplica(metric, observed, current)
    if (target === undefined || value === undefined) continue
    const ratio = value / target
    const unit = metric === 'requests' ? ' req/s per replica' : '%'
    if (Math.abs(ratio - 1) <= TOLERANCE) out.push({ replicas: current, why: `${metric} ${round(value)}${unit} is within ${TOLERANCE * 100}% of target ${target}${unit}` })
    else out.push({ replicas: Math.ceil(Math.max(current, 1) * ratio), why: `${metric} ${round(value)}${unit} vs target ${target}${unit}` })
  }
  for (const step of policy.steps ?? []) {
    const value = perReplica(step.metric, observed, current)
    if (value === undefined) continue
    if (step.above !== undefined && value > step.above) out.push({ replicas: current + step.change, why: `step: ${step.metric} ${round(value)} > ${step.above}, change ${signed(step.change)}` })
    if (step.below !== undefined && value < step.below) out.push({ replicas: current + step.change, why: `step: ${step.metric} ${round(value)} < ${step.below}, change ${signed(step.change)}` })
  }
  return out
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}

function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value)
}

function clamp(value: number, policy: Autoscale): number {
  return Math.min(policy.max, Math.max(policy.min, value))
}

/** The replicas a scale-in may go down to under services.X.autoscale.scaleIn (the stricter limit wins). */
export function scaleInLimit(policy: Autoscale, current: number, desired: number): number {
  if (desired >= current || !policy.scaleIn || current > policy.max) return desired
  const allowed = [current - desired]
  if (policy.scaleIn.maxReplicas !== undefined) allowed.push(policy.scaleIn.maxReplicas)
  if (policy.scaleIn.maxPercent !== undefined) allowed.push(Math.max(1, Math.floor((current * policy.scaleIn.maxPercent) / 100)))
  return current - Math.min(...allowed)
}

/** One evaluation. Returns the decision and the state to keep for the next one. */
export function evaluatePolicy(service: string, policy: Autoscale, current: number, observed: Observation, state: ControllerState, now: number): { decision: Decision; state: ControllerState } {
  const windowMs = durationSeconds(policy.stabilization ?? 0) * 1000
  const cooldownMs = durationSeconds(policy.cooldown ?? 0) * 1000
  const found = proposals(policy, current, observed)
  const reasons: string[] = []
  let recommendation: number
  if (found.length === 0) {
    recommendation = clamp(current, policy)
    reasons.push('no metrics to act on')
  } else {
    // Several rules: the largest wins, so one overloaded metric is never ignored.
    const best = found.reduce((a, b) => (b.replicas > a.replicas ? b : a))
    recommendation = clamp(best.replicas, policy)
    reasons.push(best.why)
    if (recommendation !== best.replicas) reasons.push(`clamped to ${policy.min}..${policy.max}`)
  }
  const recommendations = [...state.recommendations.filter((entry) => now - entry.at < windowMs), { at: now, replicas: recommendation }]
  let desired = recommendation
  if (desired < current && windowMs > 0) {
    // Scale in only to the highest count recommended over the window: a dip must last.
    const highest = Math.max(...recommendations.map((entry) => entry.replicas))
    if (highest > desired) {
      desired = Math.min(highest, current)
      reasons.push(`stabilisation window ${policy.stabilization} holds ${desired}`)
    }
  }
  const limited = scaleInLimit(policy, current, desired)
  if (limited !== desired) {
    desired = limited
    reasons.push(`scale-in limit: at most ${current - limited} at a time`)
  }
  const outOfBounds = current < policy.min || current > policy.max
  if (desired !== current && !outOfBounds && state.lastScaleAt !== undefined && now - state.lastScaleAt < cooldownMs) {
    reasons.push(`cooldown: ${Math.ceil((cooldownMs - (now - state.lastScaleAt)) / 1000)}s left`)
    desired = current
  }
  const action = desired > current ? 'scale-out' : desired < current ? 'scale-in' : 'hold'
  return {
    decision: { service, current, desired, action, reason: reasons.join('; '), recommendation },
    state: { lastScaleAt: action === 'hold' ? state.lastScaleAt : now, recommendations },
  }
}
