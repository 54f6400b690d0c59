/**
 * What-if over a load trace: replays requests per second through the policy
 * with a simple capacity model (CPU = load / (replicas x per-replica
 * capacity)), so a policy can be tuned before it runs anywhere.
 */
import type { Autoscale } from '../manifest/schema.js'
import { controllerPolicy, evaluatePolicy, type ControllerState } from './policy.js'

export interface TracePoint {
  /** seconds from the start */
  at: number
  /** requests per second offered */
  rps: number
}

export interface SimulatedStep {
  at: number
  rps: number
  replicas: number
  cpu: number
  /** requests that found no capacity, per second */
  overflow: number
  action: string
  reason: string
}

export function parseTrace(text: string): TracePoint[] {
  const points: TracePoint[] = []
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (!line || line.startsWith('#') || /^[a-z]/i.test(line)) continue
    const [at, rps] = line.split(/[,\s]+/).map(Number)
    if (!Number.isFinite(at) || !Number.isFinite(rps) || rps < 0) throw new Error(`line ${index + 1}: expected "seconds,rps", got "${line}"`)
    points.push({ at, rps })
  }
  return points.sort((a, b) => a.at - b.at)
}

export function simulate(service: string, policy: Autoscale, trace: TracePoint[], perReplicaRps: number, startReplicas = policy.min): SimulatedStep[] {
  let replicas = Math.max(startReplicas, policy.min)
  let state: ControllerState = { recommendations: [] }
  const normalised = controllerPolicy(policy)
  const steps: SimulatedStep[] = []
  for (const point of trace) {
    const capacity = replicas * perReplicaRps
    const cpu = capacity === 0 ? 100 : Math.min(100, (point.rps / capacity) * 100)
    const result = evaluatePolicy(service, normalised, replicas, { cpu, requests: point.rps }, state, point.at * 1000)
    steps.push({ at: point.at, rps: point.rps, replicas, cpu: Math.round(cpu * 10) / 10, overflow: Math.max(0, point.rps - capacity), action: result.decision.action, reason: result.decision.reason })
    state = result.state
    replicas = result.decision.desired
  }
  return steps
}
