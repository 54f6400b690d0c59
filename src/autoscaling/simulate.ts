/**
 * What-if over a load trace: replays the offered requests per second through
 * a service's policy and placement with the same decision core as the live
 * controller (hybrid.ts), and a simple capacity model: each ready replica
 * serves `perReplicaRps` at 100% CPU, load spreads evenly, what exceeds the
 * ready capacity is not served. The policy runs at the end of every
 * evaluation period on that period's average CPU, like a controller reading
 * its metrics; new replicas serve after their target's warm-up.
 */
import type { Autoscale } from '../manifest/schema.js'
import { durationSeconds } from '../manifest/units.js'
import type { ReplicaRate } from '../costs/replica-rates.js'
import { fillInOrder, type PlacementSlot } from '../placement.js'
import { decideService } from './hybrid.js'
import { controllerPolicy, type ControllerState } from './policy.js'
import type { Trace } from './trace.js'

export interface SimulationInput {
  service: string
  policy: Autoscale
  /** the service's targets in fill order */
  slots: PlacementSlot[]
  trace: Trace
  /** requests per second one replica serves at 100% CPU */
  perReplicaRps: number
  /** seconds between two evaluations of the policy */
  stepSeconds: number
  /** replicas at the start, placed in fill order */
  startReplicas: number
  /** seconds a new replica takes to serve, per target (default 0: from the next period) */
  warmup?: Record<string, number>
  /** hourly price of a replica per target; absent: cost is not computed */
  rates?: Record<string, ReplicaRate>
  /** CPU percent above which time counts as over the SLO utilisation */
  sloCpu: number
  /** a scale event reversing the previous one within this many seconds is a flap */
  flapWindowSeconds: number
}

export interface SimulatedStep {
  /** seconds from the start of the trace */
  at: number
  seconds: number
  /** average requests per second offered in the period */
  rps: number
  /** replicas per target during the period, starting ones included */
  replicas: Record<string, number>
  /** replicas that served during the period */
  ready: number
  /** average CPU of the ready replicas, percent */
  cpu: number
  /** requests per second the ready replicas could not serve, averaged over the period */
  overflowRps: number
  /** requests not served in the period */
  unserved: number
  /** what the fleet of this period costs per hour; absent when a price is unknown */
  hourlyCost?: number
  /** the decision taken at the end of the period */
  action: 'scale-out' | 'scale-in' | 'hold'
  desired: number
  summary: string
}

export interface SimulationSummary {
  requests: number
  unserved: number
  minutesOverSlo: number
  scaleEvents: number
  flaps: number
  replicaHours: Record<string, number>
  /** for the whole trace, in currency units; absent when a price is unknown */
  cost?: number
  peakReplicas: number
  /** seconds from the start of the first scale-out decision */
  firstScaleOutAt?: number
}

interface Starting {
  target: string
  readyAt: number
}

/** Offered load over [from, to): seconds at each constant rate. Reads forward from the point `cursor.index`. */
function segments(trace: Trace, from: number, to: number, cursor: { index: number }): { rps: number; seconds: number }[] {
  const out: { rps: number; seconds: number }[] = []
  const points = trace.points
  const endOf = (i: number) => (i + 1 < points.length ? points[i + 1].at : trace.end)
  // Periods only move forward: points that ended before this one never count again.
  while (cursor.index < points.length - 1 && endOf(cursor.index) <= from) cursor.index++
  for (let i = cursor.index; i < points.length && points[i].at < to; i++) {
    const start = Math.max(points[i].at, from)
    const end = Math.min(endOf(i), to)
    if (end > start) out.push({ rps: points[i].rps, seconds: end - start })
  }
  return out
}

const round1 = (value: number) => Math.round(value * 10) / 10

export function simulate(input: SimulationInput): { steps: SimulatedStep[]; summary: SimulationSummary } {
  const { slots, perReplicaRps, stepSeconds } = input
  const policy = controllerPolicy(input.policy)
  const counts = new Map(fillInOrder(slots, Math.max(input.startReplicas, input.policy.min)).placed.map((entry) => [entry.target, entry.replicas]))
  let starting: Starting[] = []
  let state: ControllerState = { recommendations: [] }
  const steps: SimulatedStep[] = []
  const replicaSeconds = new Map(slots.map((slot) => [slot.target, 0]))
  const events: { at: number; up: boolean }[] = []
  let unserved = 0
  let requests = 0
  let secondsOverSlo = 0
  let costNanoSeconds: bigint | undefined = input.rates ? 0n : undefined
  let peak = 0

  const point = { index: 0 }
  let cursor = 0
  for (let at = 0; at < input.trace.end; at = cursor) {
    cursor = Math.min(at + stepSeconds, input.trace.end)
    const seconds = cursor - at
    starting = starting.filter((entry) => entry.readyAt > at)
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0)
    const ready = total - starting.length
    const capacity = ready * perReplicaRps
    let offered = 0
    let lost = 0
    for (const segment of segments(input.trace, at, cursor, point)) {
      offered += segment.rps * segment.seconds
      lost += Math.max(0, segment.rps - capacity) * segment.seconds
    }
    const rps = offered / seconds
    const cpu = capacity > 0 ? Math.min(100, (rps / capacity) * 100) : rps > 0 ? 100 : 0
    requests += offered
    unserved += lost
    if (cpu > input.sloCpu) secondsOverSlo += seconds
    peak = Math.max(peak, total)
    for (const [target, count] of counts) replicaSeconds.set(target, replicaSeconds.get(target)! + count * seconds)
    const hourly = hourlyNanos(counts, input.rates)
    if (costNanoSeconds !== undefined) costNanoSeconds = hourly === undefined ? undefined : costNanoSeconds + hourly * BigInt(Math.round(seconds))

    // Replicas still starting report no CPU, as a real controller reads them: no double counting of the capacity on its way.
    const observedCpu = total > 0 ? (cpu * ready) / total : cpu
    const readings = slots.map((slot) => {
      const count = counts.get(slot.target) ?? 0
      return { target: slot.target, replicas: count, observed: { cpu: observedCpu, requests: total > 0 ? (rps * count) / total : 0 } }
    })
    const { decision, state: next } = decideService({ service: input.service, policy, slots, readings, state, now: cursor * 1000 })
    state = next
    steps.push({
      at,
      seconds,
      rps: round1(rps),
      replicas: Object.fromEntries(counts),
      ready,
      cpu: round1(cpu),
      overflowRps: round1(lost / seconds),
      unserved: Math.round(lost),
      hourlyCost: hourly === undefined ? undefined : Number(hourly) / 1e9,
      action: decision.action,
      desired: decision.desired,
      summary: decision.summary,
    })
    if (decision.action !== 'hold') events.push({ at: cursor, up: decision.action === 'scale-out' })
    for (const move of decision.targets) {
      if (move.to === undefined || move.from === undefined || move.to === move.from) continue
      if (move.to > move.from) {
        const readyAt = cursor + (input.warmup?.[move.target] ?? 0)
        for (let i = move.from; i < move.to; i++) starting.push({ target: move.target, readyAt })
      } else {
        // Replicas still starting are the first to go.
        let remove = move.from - move.to
        starting = starting.filter((entry) => !(entry.target === move.target && remove-- > 0))
      }
      counts.set(move.target, move.to)
    }
  }

  let flaps = 0
  for (let i = 1; i < events.length; i++) {
    if (events[i].up !== events[i - 1].up && events[i].at - events[i - 1].at < input.flapWindowSeconds) flaps++
  }
  return {
    steps,
    summary: {
      requests: Math.round(requests),
      unserved: Math.round(unserved),
      minutesOverSlo: round1(secondsOverSlo / 60),
      scaleEvents: events.length,
      flaps,
      replicaHours: Object.fromEntries([...replicaSeconds].map(([target, value]) => [target, Math.round((value / 3600) * 100) / 100])),
      cost: costNanoSeconds === undefined ? undefined : Math.round(Number(costNanoSeconds / 3600n) / 1e7) / 100,
      peakReplicas: peak,
      firstScaleOutAt: events.find((event) => event.up)?.at,
    },
  }
}

/** The fleet's price per hour in nanos; undefined when a target with replicas has no known price. */
function hourlyNanos(counts: Map<string, number>, rates: Record<string, { perReplicaHour?: bigint; whileRunningHour?: bigint }> | undefined): bigint | undefined {
  if (!rates) return undefined
  let sum = 0n
  for (const [target, count] of counts) {
    if (count === 0) continue
    const rate = rates[target]
    if (rate?.perReplicaHour === undefined) return undefined
    sum += rate.perReplicaHour * BigInt(count) + (rate.whileRunningHour ?? 0n)
  }
  return sum
}

export interface NamedPolicy {
  name: string
  description: string
  policy: Autoscale
}

/**
 * The policies `--compare` runs side by side: the manifest's own, the classic
 * threshold rule, graduated step rules, and target tracking with a
 * Kubernetes-HPA-like scale-in stabilisation window (5 minutes, no cooldown).
 * All share the manifest's min and max; the rules without a window take the
 * manifest's cooldown, or the common default of 300 s.
 */
export function comparisonPolicies(policy: Autoscale): NamedPolicy[] {
  const bounds = { min: policy.min, max: policy.max }
  const cooldown = policy.cooldown ?? '300s'
  const target = policy.target?.cpu ?? 60
  return [
    { name: 'manifest', description: 'the policy in strato.yaml', policy },
    { name: 'threshold', description: `cpu > 80%: +1, cpu < 30%: -1, cooldown ${cooldown}`, policy: { ...bounds, cooldown, steps: [{ metric: 'cpu', above: 80, change: 1 }, { metric: 'cpu', below: 30, change: -1 }] } },
    { name: 'steps', description: `cpu > 70%: +1, > 85%: +2, > 95%: +4, < 40%: -1, cooldown ${cooldown}`, policy: { ...bounds, cooldown, steps: [{ metric: 'cpu', above: 70, change: 1 }, { metric: 'cpu', above: 85, change: 2 }, { metric: 'cpu', above: 95, change: 4 }, { metric: 'cpu', below: 40, change: -1 }] } },
    { name: 'target-tracking', description: `cpu ${target}%, scale-in stabilisation 5m (HPA-like)`, policy: { ...bounds, target: { cpu: target }, stabilization: '5m' } },
  ]
}

/** The flap window: the manifest policy's cooldown, or 300 s without one. */
export function flapWindowSeconds(policy: Autoscale): number {
  return durationSeconds(policy.cooldown ?? 0) || 300
}
