/**
 * The scaling policy model, free of any engine: given a service's controller
 * policy (the autoscale block, normalised), its current replicas, what was
 * observed and what was decided before, return the replicas it should have
 * and why. strato's controller runs it for targets whose descriptor says the
 * controller drives them; the simulator reuses it.
 */
import type { Autoscale } from '../manifest/schema.js'
import { durationSeconds } from '../manifest/units.js'

/** The autoscale block as the controller runs it: durations in seconds, defaults filled in. (A type, so it is plain JSON data.) */
export type ControllerPolicy = {
  min: number
  max: number
  target: { cpu?: number; memory?: number; requests?: number }
  steps: { metric: 'cpu' | 'memory' | 'requests'; above?: number; below?: number; change: number }[]
  cooldownSeconds: number
  stabilizationSeconds: number
  scaleInLimit?: { replicas: number; windowSeconds: number }
  /** within this fraction of a target, target tracking holds */
  tolerance: number
}

export function controllerPolicy(policy: Autoscale): ControllerPolicy {
  return {
    min: policy.min,
    max: policy.max,
    target: { ...policy.target },
    steps: (policy.steps ?? []).map((step) => ({ ...step })),
    cooldownSeconds: durationSeconds(policy.cooldown ?? 0),
    stabilizationSeconds: durationSeconds(policy.stabilization ?? 0),
    ...(policy.scaleInLimit ? { scaleInLimit: { replicas: policy.scaleInLimit.replicas, windowSeconds: durationSeconds(policy.scaleInLimit.window) } } : {}),
    tolerance: TOLERANCE,
  }
}

/** 300 -> "5m", 90 -> "90s": durations in reasons read as the manifest wrote them. */
export function formatSeconds(seconds: number): string {
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`
  return `${seconds}s`
}

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
  /** recent scale-ins (epoch ms, replicas removed), for the scale-in limit */
  scaleIns?: { at: number; replicas: number }[]
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

function proposals(policy: ControllerPolicy, current: number, observed: Observation): { replicas: number; why: string }[] {
  const out: { replicas: number; why: string }[] = []
  for (const metric of ['cpu', 'memory', 'requests'] as const) {
    const target = policy.target?.[metric]
    const value = perReplica(metric, observed, current)
    if (target === undefined || value === undefined) continue
    const ratio = value / target
    const unit = metric === 'requests' ? ' req/s per replica' : '%'
    if (Math.abs(ratio - 1) <= policy.tolerance) out.push({ replicas: current, why: `${metric} ${round(value)}${unit} is within ${policy.tolerance * 100}% of target ${target}${unit}` })
    else out.push({ replicas: Math.ceil(Math.max(current, 1) * ratio), why: `${metric} ${round(value)}${unit} vs target ${target}${unit}` })
  }
  for (const step of policy.steps) {
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

function clamp(value: number, policy: ControllerPolicy): number {
  return Math.min(policy.max, Math.max(policy.min, value))
}

/** One evaluation. Returns the decision and the state to keep for the next one. */
export function evaluatePolicy(service: string, policy: ControllerPolicy, current: number, observed: Observation, state: ControllerState, now: number): { decision: Decision; state: ControllerState } {
  const windowMs = policy.stabilizationSeconds * 1000
  const cooldownMs = policy.cooldownSeconds * 1000
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
      reasons.push(`stabilisation window ${formatSeconds(policy.stabilizationSeconds)} holds ${desired}`)
    }
  }
  const outOfBounds = current < policy.min || current > policy.max
  if (desired !== current && !outOfBounds && state.lastScaleAt !== undefined && now - state.lastScaleAt < cooldownMs) {
    reasons.push(`cooldown: ${Math.ceil((cooldownMs - (now - state.lastScaleAt)) / 1000)}s left`)
    desired = current
  }
  const limit = policy.scaleInLimit
  const scaleIns = (state.scaleIns ?? []).filter((entry) => limit && now - entry.at < limit.windowSeconds * 1000)
  if (limit && desired < current && current <= policy.max) {
    // At most limit.replicas removed within any window: a sharp drop is taken in slices.
    const allowed = Math.max(0, limit.replicas - scaleIns.reduce((sum, entry) => sum + entry.replicas, 0))
    if (current - desired > allowed) {
      desired = current - allowed
      reasons.push(`scale-in limit: at most ${limit.replicas} per ${formatSeconds(limit.windowSeconds)}, ${allowed} left now`)
    }
  }
  const action = desired > current ? 'scale-out' : desired < current ? 'scale-in' : 'hold'
  if (action === 'scale-in') scaleIns.push({ at: now, replicas: current - desired })
  return {
    decision: { service, current, desired, action, reason: reasons.join('; '), recommendation },
    state: { lastScaleAt: action === 'hold' ? state.lastScaleAt : now, recommendations, ...(limit ? { scaleIns } : {}) },
  }
}
