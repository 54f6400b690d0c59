/**
 * The controller loop over every target of every autoscaled service: read
 * each target, decide once per service (hybrid.ts), move each target, log the
 * decision with a reason per target; then wait. Targets are reached through
 * ports and the clock and sleep are passed in, so tests drive it without
 * engines. A target that cannot be read or refuses to scale is recorded with
 * its error; the others still move.
 */
import { UserError, type ExitCodeName } from '../errors.js'
import type { PlacementSlot } from '../placement.js'
import { decideService, type ServiceDecision, type TargetMove, type TargetReading } from './hybrid.js'
import type { ControllerPolicy, ControllerState, Observation } from './policy.js'

/** One target as the controller sees it. */
export interface TargetPort {
  replicas(service: string): Promise<number>
  observe(service: string): Promise<Observation>
  scale(service: string, replicas: number): Promise<void>
  /** epoch ms of the last change made before this controller started, if known */
  lastChange?(service: string): Promise<number | undefined>
  /** keep this count: for targets where something else (a native autoscaler) could move it */
  hold?(service: string, replicas: number): Promise<void>
}

export interface ControlledService {
  policy: ControllerPolicy
  slots: PlacementSlot[]
}

/** A move that failed carries the exit code its error asked for, so the run can end with it. */
export type RecordedMove = TargetMove & { code?: ExitCodeName }

export type RecordedDecision = Omit<ServiceDecision, 'targets'> & { at: string; targets: RecordedMove[] }

export interface HybridControllerOptions {
  services: Record<string, ControlledService>
  /** by target name */
  ports: Record<string, TargetPort>
  now(): number
  sleep(ms: number): Promise<void>
  log(decision: RecordedDecision): void
  intervalMs: number
  /** stop after this many rounds (1 for --once); undefined runs until signal aborts */
  rounds?: number
  signal?: AbortSignal
}

function failure(error: unknown): { error: string; code?: ExitCodeName } {
  if (error instanceof UserError) return { error: error.message, code: error.options.code ?? 'failure' }
  return { error: error instanceof Error ? error.message : String(error) }
}

async function read(port: TargetPort | undefined, target: string, service: string): Promise<TargetReading & { code?: ExitCodeName }> {
  if (!port) return { target, error: 'the target is not open' }
  try {
    const [replicas, observed] = await Promise.all([port.replicas(service), port.observe(service)])
    return { target, replicas, observed }
  } catch (error) {
    return { target, ...failure(error) }
  }
}

/** Scales every target that moves: all scale-outs first, then the scale-ins, so capacity never dips mid-move. */
async function applyMoves(service: string, moves: RecordedMove[], ports: Record<string, TargetPort>): Promise<{ held: number }> {
  const run = (action: 'scale-out' | 'scale-in') => Promise.all(moves.filter((entry) => entry.action === action).map(async (entry) => {
    try {
      await ports[entry.target].scale(service, entry.to!)
    } catch (error) {
      Object.assign(entry, failure(error))
      entry.reason = `${entry.reason}; failed: ${entry.error}`
    }
  }))
  const holds = moves.filter((entry) => entry.action === 'hold' && entry.to !== undefined && ports[entry.target].hold).map(async (entry) => {
    try {
      await ports[entry.target].hold!(service, entry.to!)
    } catch (error) {
      Object.assign(entry, failure(error))
      entry.reason = `${entry.reason}; failed to keep it: ${entry.error}`
    }
  })
  await Promise.all([run('scale-out'), ...holds])
  const ins = moves.filter((entry) => entry.action === 'scale-in')
  // Removing replicas while the replacement capacity failed to start would leave the service short.
  if (moves.some((entry) => entry.action === 'scale-out' && entry.error)) {
    for (const entry of ins) Object.assign(entry, { action: 'hold', to: entry.from, reason: `${entry.reason}; held: a scale-out of this decision failed, so its replicas stay` })
    return { held: ins.length }
  }
  await run('scale-in')
  return { held: 0 }
}

/**
 * Runs rounds until `rounds` or the signal; returns the last round's decisions
 * and failed moves (every round goes to `log`), so a controller that runs for
 * months holds one round in memory.
 */
export async function runHybridController(options: HybridControllerOptions): Promise<{ decisions: RecordedDecision[]; failed: RecordedMove[]; rounds: number }> {
  const states = new Map<string, ControllerState>()
  let decisions: RecordedDecision[] = []
  let failed: RecordedMove[] = []
  let rounds = 0
  for (let round = 0; options.rounds === undefined || round < options.rounds; round++) {
    if (options.signal?.aborted) break
    decisions = []
    failed = []
    rounds++
    for (const [service, { policy, slots }] of Object.entries(options.services)) {
      if (!states.has(service)) states.set(service, { lastScaleAt: await lastChange(options.ports, slots, service), recommendations: [] })
      const readings = await Promise.all(slots.map((slot) => read(options.ports[slot.target], slot.target, service)))
      const now = options.now()
      const { decision, state } = decideService({ service, policy, slots, readings, state: states.get(service)!, now })
      states.set(service, state)
      const codes = new Map(readings.map((reading) => [reading.target, reading.code]))
      const moves: RecordedMove[] = decision.targets.map((entry) => (entry.action === 'skipped' && codes.get(entry.target) ? { ...entry, code: codes.get(entry.target) } : { ...entry }))
      const { held } = await applyMoves(service, moves, options.ports)
      const notes = moves.filter((entry) => entry.action !== 'skipped' && entry.error).map((entry) => `${entry.target} failed: ${entry.error}`)
      if (held > 0) notes.push(`${held} scale-in${held === 1 ? '' : 's'} held`)
      const summary = notes.length ? `${decision.summary}; ${notes.join('; ')}` : decision.summary
      const recorded: RecordedDecision = { ...decision, summary, targets: moves, at: new Date(now).toISOString() }
      failed.push(...moves.filter((entry) => entry.error !== undefined))
      decisions.push(recorded)
      options.log(recorded)
    }
    if (options.rounds !== undefined && round + 1 >= options.rounds) break
    await options.sleep(options.intervalMs)
  }
  return { decisions, failed, rounds }
}

/** The newest change any target of the service reports; a target that cannot say is left out. */
async function lastChange(ports: Record<string, TargetPort>, slots: PlacementSlot[], service: string): Promise<number | undefined> {
  const times = await Promise.all(slots.map((slot) => ports[slot.target]?.lastChange?.(service).catch(() => undefined)))
  const known = times.filter((time): time is number => time !== undefined)
  return known.length ? Math.max(...known) : undefined
}

/** The exit code a run ends with when targets failed: theirs when they agree, else 1. */
export function failedRunCode(failed: RecordedMove[]): ExitCodeName | undefined {
  if (failed.length === 0) return undefined
  const codes = new Set(failed.map((entry) => entry.code ?? 'failure'))
  return codes.size === 1 ? [...codes][0] : 'failure'
}

/** A decision as people read it: the summary line, then one line per target. */
export function renderDecision(decision: RecordedDecision): string {
  const width = Math.max(...decision.targets.map((move) => move.target.length))
  const lines = decision.targets.map((move) => {
    const counts = move.from === undefined ? '?' : move.to === undefined || move.to === move.from ? String(move.from) : `${move.from} -> ${move.to}`
    return `  ${move.target.padEnd(width)}  ${counts.padEnd(8)}  ${move.action.padEnd(9)}  ${move.reason}`
  })
  return [`${decision.at} ${decision.summary}`, ...lines].join('\n')
}
