/**
 * `strato autoscale simulate` as data in, data out: picks the service, its
 * placement and prices from the manifest, runs one policy or the comparison
 * set over a trace, and renders the tables that end with sparklines.
 */
import type { DescriptorLookup } from '../capabilities.js'
import type { PriceCatalog } from '../costs/catalog.js'
import { replicaRates } from '../costs/replica-rates.js'
import { usageError } from '../errors.js'
import { desiredReplicas } from '../manifest/defaults.js'
import type { Autoscale, Manifest } from '../manifest/schema.js'
import { renderTable } from '../output/table.js'
import { sparkline } from '../output/sparkline.js'
import { placementOrder } from '../placement.js'
import { checkService } from '../planning/scale.js'
import { comparisonPolicies, flapWindowSeconds, simulate, type SimulatedStep, type SimulationSummary } from './simulate.js'
import type { Trace, TraceFormat } from './trace.js'

export interface SimulateOptions {
  /** the service to replay; optional when exactly one service autoscales */
  service?: string
  trace: Trace
  /** the trace's file name, for the report */
  traceName: string
  perReplicaRps: number
  stepSeconds: number
  /** seconds before a new replica serves: one figure for every target, or per target name */
  warmup: number | Record<string, number>
  sloCpu: number
  compare: boolean
  catalog: PriceCatalog
  /** how each target kind is priced (providers/descriptors.ts) */
  descriptors: DescriptorLookup
}

export interface SimulationRun {
  name: string
  description: string
  policy: Autoscale
  summary: SimulationSummary
  steps: SimulatedStep[]
}

export interface SimulationReport {
  service: string
  trace: { file: string; format: TraceFormat; points: number; seconds: number }
  perReplicaRps: number
  stepSeconds: number
  sloCpu: number
  flapWindowSeconds: number
  /** the service's targets in fill order, with their placement max */
  targets: { target: string; max?: number; warmupSeconds: number; rate: { basis: string; perReplicaHour?: number; unknown?: string } }[]
  currency: string
  runs: SimulationRun[]
  warnings: string[]
}

/** The service to simulate: the one named, else the only one with an autoscale policy. */
export function chooseService(manifest: Manifest, name: string | undefined): string {
  if (name !== undefined) {
    checkService(manifest, name)
    if (!manifest.services[name].autoscale) throw usageError(`Service "${name}" has no autoscale policy.`, `Add services.${name}.autoscale to strato.yaml, e.g. { min: 1, max: 10, target: { cpu: 60 } }.`)
    return name
  }
  const scaled = Object.keys(manifest.services).filter((service) => manifest.services[service].autoscale)
  if (scaled.length === 1) return scaled[0]
  if (scaled.length === 0) throw usageError('No service in strato.yaml has an autoscale policy.', 'Add services.<name>.autoscale: { min, max, target: { cpu: 60 } }.')
  throw usageError(`Several services autoscale (${scaled.join(', ')}): say which one to replay.`, `Pass --service, e.g. --service ${scaled[0]}.`)
}

/** "--warmup 30" or "--warmup onprem=10,aws=90". */
export function parseWarmup(text: string | undefined): number | Record<string, number> {
  if (text === undefined || text.trim() === '') return 0
  const fix = 'Pass seconds for every target (--warmup 30) or per target (--warmup onprem=10,aws=90).'
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Number(text)
  const out: Record<string, number> = {}
  for (const part of text.split(',')) {
    const match = /^\s*([a-z][a-z0-9-]*)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part)
    if (!match) throw usageError(`--warmup: "${part.trim()}" is neither seconds nor target=seconds.`, fix)
    out[match[1]] = Number(match[2])
  }
  return out
}

export function simulateManifest(manifest: Manifest, options: SimulateOptions): SimulationReport {
  if (!(options.perReplicaRps > 0)) throw usageError(`--per-replica must be more than 0, got ${options.perReplicaRps}.`, 'Pass the requests per second one replica serves at 100% CPU, e.g. --per-replica 200.')
  const service = chooseService(manifest, options.service)
  const policy = manifest.services[service].autoscale!
  const slots = placementOrder(manifest, service)
  const names = slots.map((slot) => slot.target)
  if (typeof options.warmup === 'object') {
    const unknown = Object.keys(options.warmup).filter((name) => !names.includes(name))
    if (unknown.length) throw usageError(`--warmup names ${unknown.join(', ')}, where ${service} does not run.`, `Use the targets of ${service}: ${names.join(', ')}.`)
  }
  const warmup = Object.fromEntries(names.map((name) => [name, typeof options.warmup === 'number' ? options.warmup : options.warmup[name] ?? 0]))
  const rates = replicaRates(manifest, options.catalog, options.descriptors, service, names)
  const warnings = Object.entries(rates).filter(([, rate]) => rate.unknown).map(([target, rate]) => `cost on target "${target}" is unknown: ${rate.unknown}`)
  const flapWindow = flapWindowSeconds(policy)
  const policies = options.compare ? comparisonPolicies(policy) : comparisonPolicies(policy).slice(0, 1)
  const runs = policies.map(({ name, description, policy: rule }) => ({
    name,
    description,
    policy: rule,
    ...simulate({
      service, policy: rule, slots, trace: options.trace, perReplicaRps: options.perReplicaRps, stepSeconds: options.stepSeconds,
      startReplicas: desiredReplicas(manifest.services[service]), warmup, rates, sloCpu: options.sloCpu, flapWindowSeconds: flapWindow,
    }),
  }))
  return {
    service,
    trace: { file: options.traceName, format: options.trace.format, points: options.trace.points.length, seconds: options.trace.end },
    perReplicaRps: options.perReplicaRps,
    stepSeconds: options.stepSeconds,
    sloCpu: options.sloCpu,
    flapWindowSeconds: flapWindow,
    targets: slots.map((slot) => {
      const rate = rates[slot.target]
      return { ...slot, warmupSeconds: warmup[slot.target], rate: { basis: rate.basis, perReplicaHour: rate.perReplicaHour === undefined ? undefined : Number(rate.perReplicaHour) / 1e9, unknown: rate.unknown } }
    }),
    currency: manifest.budgets?.currency ?? options.catalog.currency,
    runs,
    warnings,
  }
}

/** Seconds as h:mm:ss. */
export function clock(seconds: number): string {
  const whole = Math.round(seconds)
  return `${Math.floor(whole / 3600)}:${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function money(value: number | undefined): string {
  return value === undefined ? 'unknown' : value.toFixed(2)
}

/** Steps shown in the terminal: all of a short run, else the scale events with the first and last step. */
export const MAX_STEP_ROWS = 40

export function renderSimulation(report: SimulationReport, header: (text: string) => string = (text) => text): string {
  const names = report.targets.map((entry) => entry.target)
  const intro = `${report.service} on ${report.trace.file} (${report.trace.format}, ${report.trace.points} points, ${clock(report.trace.seconds)}); policy evaluated every ${report.stepSeconds}s; one replica serves ${report.perReplicaRps} req/s at 100% CPU`
  if (report.runs.length > 1) return [intro, '', renderComparison(report, header)].join('\n')
  const run = report.runs[0]
  const shown = run.steps.length <= MAX_STEP_ROWS ? run.steps : run.steps.filter((step, index) => step.action !== 'hold' || index === 0 || index === run.steps.length - 1)
  const table = renderTable(
    ['AT', 'RPS', ...names.map((name) => name.toUpperCase()), 'CPU%', 'UNSERVED', `${report.currency}/H`, 'DECISION'],
    shown.map((step) => [clock(step.at), String(step.rps), ...names.map((name) => String(step.replicas[name] ?? 0)), String(step.cpu), String(step.unserved), money(step.hourlyCost), step.action === 'hold' ? 'hold' : step.summary]),
    { header, alignRight: [0, 1, ...names.map((_, index) => index + 2), names.length + 2, names.length + 3, names.length + 4] },
  )
  const note = shown.length < run.steps.length ? [`(${shown.length} of ${run.steps.length} steps: the scale events, the first and the last; --json has every step)`] : []
  const s = run.summary
  const totals = `${s.unserved} of ${s.requests} requests not served; ${s.minutesOverSlo} min over ${report.sloCpu}% CPU; ${plural(s.scaleEvents, 'scale event')}, ${plural(s.flaps, 'flap')}; replica-hours ${names.map((name) => `${name} ${s.replicaHours[name]}`).join(', ')}; cost ${money(s.cost)} ${report.currency}`
  const width = Math.max(...['rps', 'cpu', ...names].map((label) => label.length))
  const peak = Math.max(1, ...run.steps.map((step) => Math.max(...names.map((name) => step.replicas[name] ?? 0))))
  const sparks = [
    `${'rps'.padEnd(width)}  ${sparkline(run.steps.map((step) => step.rps))}`,
    ...names.map((name) => `${name.padEnd(width)}  ${sparkline(run.steps.map((step) => step.replicas[name] ?? 0), 48, peak)}`),
    `${'cpu'.padEnd(width)}  ${sparkline(run.steps.map((step) => step.cpu), 48, 100)}`,
  ]
  return [intro, '', table, ...note, '', totals, '', ...sparks].join('\n')
}

function renderComparison(report: SimulationReport, header: (text: string) => string): string {
  const names = report.targets.map((entry) => entry.target)
  const peak = Math.max(1, ...report.runs.flatMap((run) => run.steps.map((step) => names.reduce((sum, name) => sum + (step.replicas[name] ?? 0), 0))))
  const rows = report.runs.map((run) => [
    run.name,
    String(run.summary.unserved),
    String(run.summary.minutesOverSlo),
    String(run.summary.scaleEvents),
    String(run.summary.flaps),
    ...names.map((name) => String(run.summary.replicaHours[name])),
    money(run.summary.cost),
    sparkline(run.steps.map((step) => names.reduce((sum, name) => sum + (step.replicas[name] ?? 0), 0)), 32, peak),
  ])
  const blanks = Array.from({ length: 5 + names.length }, () => '')
  const load = ['load (rps)', ...blanks, sparkline(report.runs[0].steps.map((step) => step.rps), 32)]
  const table = renderTable(
    ['POLICY', 'UNSERVED', `MIN>${report.sloCpu}%`, 'EVENTS', 'FLAPS', ...names.map((name) => `${name.toUpperCase()} R-H`), `COST ${report.currency}`, 'REPLICAS'],
    [...rows, load],
    { header, alignRight: [1, 2, 3, 4, ...names.map((_, index) => index + 5), names.length + 5] },
  )
  const legend = report.runs.map((run) => `  ${run.name}: ${run.description}`)
  return [...legend, `  flaps: a scale event reversing the previous one within ${report.flapWindowSeconds}s; R-H: replica-hours`, '', table].join('\n')
}
