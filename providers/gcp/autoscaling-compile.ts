/**
 * The provider-neutral autoscale spec compiled to a Compute Engine regional
 * autoscaler's policy, and the balancing mode the service's backend needs
 * for it. Pure: golden tests compare the output exactly.
 *
 * - target.cpu (percent) -> cpuUtilization.utilizationTarget (a fraction)
 * - target.requests (per second per replica) -> loadBalancingUtilization at
 *   0.8 of a backend in RATE mode whose maxRatePerInstance is requests / 0.8,
 *   so the autoscaler holds `requests` per instance
 * - schedule -> scalingSchedules: a schedule raises the floor
 *   (minRequiredReplicas) from its cron time until the next entry on the same
 *   days (Compute Engine schedules have a duration, strato's entries do not)
 * - cooldown -> coolDownPeriodSec (the instances' initialization period)
 * - stabilization -> scaleInControl: over that window the size never drops
 *   below the peak recommendation (maxScaledInReplicas 0)
 * - scaleInLimit -> scaleInControl: at most that many instances below the
 *   peak within its window (with stabilization too, over the longer window)
 * - steps and target.memory have no Compute Engine form: refused, naming the
 *   path (validate refuses them first, through the descriptor).
 */
import type { CompileAutoscaling } from '../../src/autoscaling/compile.js'
import { usageError } from '../../src/errors.js'
import type { Autoscale } from '../../src/manifest/schema.js'
import { durationSeconds } from '../../src/manifest/units.js'
import { serviceResourceName } from './naming.js'

/** The share of the backend's rate capacity the autoscaler aims for with a requests target. */
export const REQUESTS_UTILIZATION = 0.8
const MIN_SCHEDULE_SECONDS = 300
const DEFAULT_COOLDOWN_SECONDS = 60

export interface ScalingSchedule {
  minRequiredReplicas: number
  schedule: string
  timeZone: string
  durationSec: number
  description: string
}

export interface AutoscalingPolicy {
  minNumReplicas: number
  maxNumReplicas: number
  coolDownPeriodSec: number
  mode: 'ON'
  cpuUtilization?: { utilizationTarget: number; predictiveMethod: 'NONE' }
  loadBalancingUtilization?: { utilizationTarget: number }
  scaleInControl?: { maxScaledInReplicas: { fixed: number }; timeWindowSec: number }
  scalingSchedules?: Record<string, ScalingSchedule>
}

export interface BackendCapacity {
  balancingMode: 'UTILIZATION' | 'RATE'
  maxUtilization?: number
  maxRatePerInstance?: number
}

export interface CompiledAutoscaler {
  autoscalingPolicy: AutoscalingPolicy
  /** how the service's backend must count capacity */
  backend: BackendCapacity
}

/** The backend of a service without a requests target. */
export const DEFAULT_BACKEND: BackendCapacity = { balancingMode: 'UTILIZATION', maxUtilization: 0.8 }

interface Cron { minute: number; hour: number; days: string }

function parseCron(cron: string): Cron | undefined {
  const [minute, hour, ...days] = cron.trim().split(/\s+/)
  if (!/^\d+$/.test(minute) || !/^\d+$/.test(hour)) return undefined
  return { minute: Number(minute), hour: Number(hour), days: days.join(' ') }
}

/**
 * Seconds from `from` to the next time `to` fires on the same days, or
 * undefined when that is not plain: both at a fixed hour and minute, on the
 * same days, and past midnight only when both fire every day.
 */
export function secondsUntil(from: string, to: string): number | undefined {
  const a = parseCron(from)
  const b = parseCron(to)
  if (!a || !b || a.days !== b.days) return undefined
  const start = a.hour * 60 + a.minute
  const end = b.hour * 60 + b.minute
  if (end === start || (end < start && a.days !== '* * *')) return undefined
  return ((end - start + 1440) % 1440) * 60
}

function compileSchedules(policy: Autoscale, path: string): Record<string, ScalingSchedule> | undefined {
  const entries = policy.schedule ?? []
  if (entries.length === 0) return undefined
  const schedules: Record<string, ScalingSchedule> = {}
  entries.forEach((entry, index) => {
    const where = `${path}.schedule[${index}]`
    if (entry.max !== undefined && entry.max !== policy.max) {
      throw usageError(`${where}.max: GCP scaling schedules can only raise the minimum, not change the maximum (${policy.max}).`,
        `Remove max from this entry (the autoscaler's max stays ${policy.max}), or set it to ${policy.max}.`)
    }
    const floor = Math.max(entry.min ?? 0, entry.desired ?? 0)
    // an entry at or below the baseline only ends the entries before it
    if (floor <= policy.min) return
    const ends = entries
      .map((other, otherIndex) => (otherIndex === index ? undefined : secondsUntil(entry.cron, other.cron)))
      .filter((seconds): seconds is number => seconds !== undefined)
    if (ends.length === 0) {
      throw usageError(`${where}: a GCP scaling schedule needs an end; no other entry fires on the same days ("${entry.cron.split(/\s+/).slice(2).join(' ')}") at a plain hour and minute.`,
        `Add an entry that sets min back on the same days, e.g. { cron: "0 20 ${entry.cron.split(/\s+/).slice(2).join(' ')}", min: ${policy.min} }.`)
    }
    const durationSec = Math.max(MIN_SCHEDULE_SECONDS, Math.min(...ends))
    schedules[`strato-schedule-${index + 1}`] = {
      minRequiredReplicas: Math.min(floor, policy.max),
      schedule: entry.cron,
      timeZone: entry.timezone ?? 'UTC',
      durationSec,
      description: `strato: services autoscale schedule entry ${index + 1}`,
    }
  })
  return Object.keys(schedules).length ? schedules : undefined
}

/** Compiles one service's autoscale block; `path` names it in errors (services.users.autoscale). */
export function compileAutoscaler(policy: Autoscale, path: string): CompiledAutoscaler {
  if (policy.steps?.length) {
    throw usageError(`${path}.steps: GCP autoscalers have no step rules.`, 'Use target.cpu or target.requests on gcp targets, or move step rules to a docker target.')
  }
  if (policy.target?.memory !== undefined) {
    throw usageError(`${path}.target.memory: Compute Engine reports no memory use without the Ops Agent, so GCP autoscalers cannot track it.`, 'Use target.cpu or target.requests on gcp targets.')
  }
  const autoscalingPolicy: AutoscalingPolicy = {
    minNumReplicas: policy.min,
    maxNumReplicas: policy.max,
    coolDownPeriodSec: policy.cooldown !== undefined ? Math.round(durationSeconds(policy.cooldown)) : DEFAULT_COOLDOWN_SECONDS,
    mode: 'ON',
  }
  const schedules = compileSchedules(policy, path)
  const cpu = policy.target?.cpu
  const requests = policy.target?.requests
  // Compute Engine's own default signal, written out so the policy says what it does
  if (cpu !== undefined || (requests === undefined && !schedules)) {
    autoscalingPolicy.cpuUtilization = { utilizationTarget: (cpu ?? 60) / 100, predictiveMethod: 'NONE' }
  }
  let backend = DEFAULT_BACKEND
  if (requests !== undefined) {
    autoscalingPolicy.loadBalancingUtilization = { utilizationTarget: REQUESTS_UTILIZATION }
    backend = { balancingMode: 'RATE', maxRatePerInstance: Math.round((requests / REQUESTS_UTILIZATION) * 100) / 100 }
  }
  const stabilization = policy.stabilization !== undefined ? Math.round(durationSeconds(policy.stabilization)) : undefined
  if (policy.scaleInLimit) {
    const window = Math.round(durationSeconds(policy.scaleInLimit.window))
    autoscalingPolicy.scaleInControl = { maxScaledInReplicas: { fixed: policy.scaleInLimit.replicas }, timeWindowSec: Math.max(window, stabilization ?? 0) }
  } else if (stabilization !== undefined) {
    autoscalingPolicy.scaleInControl = { maxScaledInReplicas: { fixed: 0 }, timeWindowSec: stabilization }
  }
  if (schedules) autoscalingPolicy.scalingSchedules = schedules
  return { autoscalingPolicy, backend }
}

/**
 * The contract's compiler: what `autoscale apply` writes for one service on
 * a gcp target (and `--dry-run` prints): the group's autoscaler and the
 * capacity mode its backend service gets.
 */
export const compileAutoscaling: CompileAutoscaling = (request) => {
  const compiled = compileAutoscaler(request.policy, `services.${request.service}.autoscale`)
  return {
    autoscaler: { name: serviceResourceName(request.project, request.service), autoscalingPolicy: compiled.autoscalingPolicy },
    backendCapacity: compiled.backend,
  }
}
