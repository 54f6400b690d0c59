/**
 * The controller loop for targets without a native autoscaler: observe,
 * evaluate the policy, scale, log the decision with its reason; then wait.
 * Engines, clock and sleep are passed in, so tests drive it without either.
 */
import { evaluatePolicy, type ControllerPolicy, type ControllerState, type Decision, type Observation } from './policy.js'

export interface ControllerPort {
  observe(service: string): Promise<Observation>
  replicas(service: string): Promise<number>
  scale(service: string, replicas: number): Promise<void>
  /** epoch ms of the last change made before this controller started, if known */
  lastChange?(service: string): Promise<number | undefined>
}

export interface ControllerOptions {
  /** per service, the normalised policy (the docker compiler's output) */
  policies: Record<string, ControllerPolicy>
  port: ControllerPort
  now(): number
  sleep(ms: number): Promise<void>
  log(decision: Decision & { at: string; observed: Observation }): void
  intervalMs: number
  /** stop after this many rounds (1 for --once); undefined runs until signal aborts */
  rounds?: number
  signal?: AbortSignal
}

export async function runController(options: ControllerOptions): Promise<Decision[]> {
  const states = new Map<string, ControllerState>()
  const decisions: Decision[] = []
  for (let round = 0; options.rounds === undefined || round < options.rounds; round++) {
    if (options.signal?.aborted) break
    for (const [service, policy] of Object.entries(options.policies)) {
      if (!states.has(service)) states.set(service, { lastScaleAt: await options.port.lastChange?.(service), recommendations: [] })
      const current = await options.port.replicas(service)
      const observed = await options.port.observe(service)
      const now = options.now()
      const { decision, state } = evaluatePolicy(service, policy, current, observed, states.get(service)!, now)
      if (decision.desired !== current) await options.port.scale(service, decision.desired)
      states.set(service, state)
      decisions.push(decision)
      options.log({ ...decision, at: new Date(now).toISOString(), observed })
    }
    if (options.rounds !== undefined && round + 1 >= options.rounds) break
    await options.sleep(options.intervalMs)
  }
  return decisions
}

/**
 * Several controllers at once (one per target), stopped together: by the
 * caller's signal, or by the first one that fails, whose error is then
 * thrown once every controller has stopped.
 */
export async function runControllers(byTarget: Record<string, Omit<ControllerOptions, 'signal'>>, abort: AbortController): Promise<Record<string, Decision[]>> {
  const names = Object.keys(byTarget)
  const outcomes = await Promise.allSettled(names.map(async (name) => {
    try {
      return await runController({ ...byTarget[name], signal: abort.signal })
    } catch (error) {
      abort.abort()
      throw error
    }
  }))
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
  if (failed) throw failed.reason
  return Object.fromEntries(names.map((name, index) => [name, (outcomes[index] as PromiseFulfilledResult<Decision[]>).value]))
}
