/**
 * Spend from the targets themselves, from where each target's descriptor
 * says it comes: the provider's billing API (costs(): Cost Explorer, Cost
 * Management, billing export), the on-prem model over the replicas that are
 * running (hosts that report no spend), or FOCUS exports only (said in a
 * note; `--focus` reads them). Providers are opened by the caller (src/
 * imports no provider), so this stays testable with fakes.
 */
import type { DescriptorLookup, ProviderDescriptor } from '../capabilities.js'
import { UserError } from '../errors.js'
import { effectiveTargets } from '../manifest/defaults.js'
import type { Manifest } from '../manifest/schema.js'
import { sizeBytes } from '../manifest/units.js'
import { isReplica, type CostLine, type Period, type Progress, type Resource, type Sample } from '../model.js'
import { providerSpend, type SpendLine } from './actual.js'
import type { SourceNote } from './actual-report.js'
import { IDLE_SERVICE } from './estimate.js'
import { hostFields, hostPool, onPremDailySpend } from './onprem.js'

/** The part of a provider this needs. */
export interface SpendSource {
  costs(period: Period): Promise<CostLine[]>
  inventory(project: string): Promise<Resource[]>
  /** for the on-prem model: CPU in percent of one CPU (without a reservation), memory in percent of the host's */
  metrics(service: string, windowSeconds: number): Promise<Sample[]>
  close(): Promise<void>
}

export interface TargetSpend {
  lines: SpendLine[]
  notes: SourceNote[]
  /** targets whose spend could not be read, with the error */
  failures: { target: string; error: UserError }[]
}

/** The days from period.start up to (not including) period.end, as YYYY-MM-DD. */
export function periodDays(period: Period): string[] {
  const days: string[] = []
  for (let at = Date.parse(`${period.start}T00:00:00Z`); at < Date.parse(`${period.end}T00:00:00Z`); at += 86_400_000) {
    days.push(new Date(at).toISOString().slice(0, 10))
  }
  return days
}

export async function targetSpend(
  manifest: Manifest,
  targetNames: string[],
  period: Period,
  open: (targetName: string) => Promise<SpendSource>,
  progress: Progress,
  descriptors: DescriptorLookup,
): Promise<TargetSpend> {
  const targets = effectiveTargets(manifest)
  const result: TargetSpend = { lines: [], notes: [], failures: [] }
  for (const name of targetNames) {
    const descriptor = descriptors(targets[name].provider)
    if (descriptor.spend.source === 'focus') {
      const detail = `not included: ${descriptor.title} spend comes from ${descriptor.spend.how}`
      progress.warn(`target ${name}: ${detail}`)
      result.notes.push({ source: `target ${name}`, detail })
      continue
    }
    let source: SpendSource | undefined
    try {
      source = await open(name)
      if (descriptor.spend.source === 'provider') {
        result.lines.push(...providerSpend(await source.costs(period), manifest.name))
        result.notes.push({ source: `target ${name}`, detail: `${descriptor.spend.how}, ${period.start} to ${period.end}` })
      } else {
        result.lines.push(...await modelledSpend(manifest, name, descriptor, period, source, result.notes, progress))
      }
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      progress.warn(`target ${name}: ${error.message}`)
      result.notes.push({ source: `target ${name}`, detail: `not included: ${error.message}` })
      if (error.options.code !== 'notSupported') result.failures.push({ target: name, error })
    } finally {
      await source?.close?.()
    }
  }
  return result
}

async function modelledSpend(manifest: Manifest, name: string, descriptor: ProviderDescriptor, period: Period, source: SpendSource, notes: SourceNote[], progress: Progress): Promise<SpendLine[]> {
  const pool = hostPool(name, hostFields(effectiveTargets(manifest)[name]))
  if ('unknown' in pool) {
    progress.warn(`target ${name}: ${pool.unknown}; its spend is not included`)
    notes.push({ source: `target ${name}`, detail: `not included: ${pool.unknown}` })
    return []
  }
  const running: Record<string, number> = {}
  for (const resource of await source.inventory(manifest.name)) {
    if (isReplica(resource) && resource.state === 'running') running[resource.service] = (running[resource.service] ?? 0) + 1
  }
  const reservations: Record<string, { cpu: number; memory: number }> = {}
  const measured: string[] = []
  for (const [service, config] of Object.entries(manifest.services)) {
    if (!running[service]) continue
    if (config.resources?.cpu !== undefined || config.resources?.memory !== undefined) {
      reservations[service] = { cpu: config.resources?.cpu ?? 0, memory: config.resources?.memory ? sizeBytes(config.resources.memory) : 0 }
      continue
    }
    // Nothing reserved: charge by what its containers use now, as the engine measures it.
    const use = await measuredUse(source, service, pool.memory / pool.hosts)
    if (use) {
      reservations[service] = use
      measured.push(service)
    } else {
      progress.warn(`services.${service} reserves no resources and its use could not be measured; its containers on target ${name} are counted as idle capacity`)
    }
  }
  const currency = manifest.budgets?.currency ?? 'USD'
  const days = periodDays(period)
  const byUse = measured.length ? `; by current use for ${measured.join(', ')}` : ''
  notes.push({ source: `target ${name}`, detail: `on-prem model: hosts' cost over ${days.length} day(s), shared by the reservations of the ${Object.values(running).reduce((a, b) => a + b, 0)} running replica(s)${byUse}` })
  return onPremDailySpend(pool, reservations, running, days, IDLE_SERVICE).map((day) => ({
    source: 'on-prem model', provider: descriptor.kind, project: manifest.name, service: day.service, date: day.date, currency, nanos: day.nanos,
  }))
}

/** A service's current use per replica, as CPUs and bytes, from the provider's metrics. */
async function measuredUse(source: SpendSource, service: string, hostMemory: number): Promise<{ cpu: number; memory: number } | undefined> {
  let samples: Sample[]
  try {
    samples = await source.metrics(service, 60)
  } catch (error) {
    if (error instanceof UserError) return undefined
    throw error
  }
  const cpu = samples.find((sample) => sample.metric === 'cpu')
  const memory = samples.find((sample) => sample.metric === 'memory')
  if (!cpu && !memory) return undefined
  return { cpu: (cpu?.value ?? 0) / 100, memory: ((memory?.value ?? 0) / 100) * hostMemory }
}
