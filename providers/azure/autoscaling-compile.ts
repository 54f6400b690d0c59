/**
 * The provider-neutral autoscale spec compiled to one
 * Microsoft.Insights/autoscaleSettings resource (the Resource Manager body),
 * pure, with golden tests (test/golden/autoscaling/azure/). Mapping:
 * - target.cpu T: a rule pair on Percentage CPU, +1 above T over 5 minutes,
 *   -1 below two thirds of T over the stabilisation window;
 * - steps: one rule each (above: GreaterThan, below: LessThan; change > 0
 *   adds, < 0 removes instances);
 * - schedule: a weekly recurrence profile per entry, carrying the same rules
 *   with its own min/max/desired; it holds until the next one starts;
 * - cooldown: every rule's cooldown; stabilization: the time window of the
 *   scale-in rules; scaleInLimit { replicas, window }: scale-in rules remove
 *   at most `replicas` and then wait at least `window`.
 * The default profile's default capacity is min: what Azure sets when the
 * metric has no data (and constant, so applying again changes nothing).
 * What Azure cannot express (memory or request targets and steps, a cron
 * with day-of-month or month fields, durations outside Azure's bounds, more
 * than 10 rules) throws a usage error naming the manifest path.
 */
import { unresolved, type CompileAutoscaling, type CompileRequest } from '../../src/autoscaling/compile.js'
import { usageError } from '../../src/errors.js'
import type { Autoscale } from '../../src/manifest/schema.js'
import { durationSeconds } from '../../src/manifest/units.js'
import { azureTagCodec } from './label-codec.js'
import { autoscaleSettingName, scaleSetName } from './naming.js'

export interface AutoscaleContext {
  service: string
  location: string
  /** the scale set's resource id */
  targetResourceUri: string
  /** the setting's name */
  name: string
  tags: Record<string, string>
}

export interface MetricTrigger {
  metricName: string
  metricNamespace: string
  metricResourceUri: string
  timeGrain: string
  statistic: 'Average'
  timeWindow: string
  timeAggregation: 'Average'
  operator: 'GreaterThan' | 'LessThan'
  threshold: number
  dividePerInstance: boolean
}

export interface ScaleRule {
  metricTrigger: MetricTrigger
  scaleAction: { direction: 'Increase' | 'Decrease'; type: 'ChangeCount'; value: string; cooldown: string }
}

export interface AutoscaleProfile {
  name: string
  capacity: { minimum: string; maximum: string; default: string }
  rules: ScaleRule[]
  recurrence?: { frequency: 'Week'; schedule: { timeZone: string; days: string[]; hours: number[]; minutes: number[] } }
}

export interface AutoscaleSettingBody {
  location: string
  tags: Record<string, string>
  properties: {
    name: string
    enabled: boolean
    targetResourceUri: string
    profiles: AutoscaleProfile[]
  }
}

export const SCALE_OUT_WINDOW_SECONDS = 300
export const DEFAULT_COOLDOWN_SECONDS = 300
export const DEFAULT_STABILIZATION_SECONDS = 600
const MAX_RULES = 10
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

/** IANA zones mapped to the Windows zone names autoscale recurrences take; a Windows name is taken as is. */
const TIME_ZONES: Record<string, string> = {
  UTC: 'UTC', 'Etc/UTC': 'UTC', GMT: 'UTC',
  'Europe/London': 'GMT Standard Time', 'Europe/Dublin': 'GMT Standard Time', 'Europe/Lisbon': 'GMT Standard Time',
  'Europe/Paris': 'Romance Standard Time', 'Europe/Brussels': 'Romance Standard Time', 'Europe/Madrid': 'Romance Standard Time', 'Europe/Copenhagen': 'Romance Standard Time',
  'Europe/Berlin': 'W. Europe Standard Time', 'Europe/Amsterdam': 'W. Europe Standard Time', 'Europe/Rome': 'W. Europe Standard Time',
  'Europe/Vienna': 'W. Europe Standard Time', 'Europe/Zurich': 'W. Europe Standard Time', 'Europe/Stockholm': 'W. Europe Standard Time', 'Europe/Oslo': 'W. Europe Standard Time',
  'Europe/Warsaw': 'Central European Standard Time', 'Europe/Prague': 'Central Europe Standard Time', 'Europe/Helsinki': 'FLE Standard Time', 'Europe/Athens': 'GTB Standard Time',
  'America/New_York': 'Eastern Standard Time', 'America/Toronto': 'Eastern Standard Time', 'America/Chicago': 'Central Standard Time',
  'America/Denver': 'Mountain Standard Time', 'America/Phoenix': 'US Mountain Standard Time', 'America/Los_Angeles': 'Pacific Standard Time',
  'America/Sao_Paulo': 'E. South America Standard Time', 'Asia/Tokyo': 'Tokyo Standard Time', 'Asia/Seoul': 'Korea Standard Time',
  'Asia/Shanghai': 'China Standard Time', 'Asia/Singapore': 'Singapore Standard Time', 'Asia/Kolkata': 'India Standard Time',
  'Asia/Dubai': 'Arabian Standard Time', 'Australia/Sydney': 'AUS Eastern Standard Time', 'Australia/Melbourne': 'AUS Eastern Standard Time',
  'Pacific/Auckland': 'New Zealand Standard Time',
}

export function isoDuration(seconds: number): string {
  const whole = Math.round(seconds)
  if (whole % 86400 === 0) return `P${whole / 86400}D`
  const h = Math.floor(whole / 3600)
  const m = Math.floor((whole % 3600) / 60)
  const s = whole % 60
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`
}

function secondsOf(value: string | number | undefined, fallback: number): number {
  return value === undefined ? fallback : durationSeconds(value)
}

/** Expands one cron field (lists, ranges, steps, *) into its values. */
export function cronValues(field: string, low: number, high: number, path: string): number[] {
  const values = new Set<number>()
  for (const part of field.split(',')) {
    const match = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part)
    if (!match) throw usageError(`${path}: "${field}" is not a cron field Azure can express.`, 'Use numbers, lists (1,3), ranges (1-5), steps (*/15) or *.')
    const from = match[1] === '*' ? low : Number(match[1])
    const to = match[1] === '*' ? high : match[2] !== undefined ? Number(match[2]) : match[3] !== undefined ? high : from
    const step = Number(match[3] ?? 1)
    if (from < low || to > high || from > to || step < 1) throw usageError(`${path}: "${field}" is outside ${low}-${high}.`, `Use values from ${low} to ${high}.`)
    for (let value = from; value <= to; value += step) values.add(value)
  }
  return [...values].sort((a, b) => a - b)
}

/** Why Azure cannot run a cron, or undefined when it can (weekly: minute, hour and week-day fields only). */
export function cronProblem(cron: string): string | undefined {
  const [minute, hour, dayOfMonth, month, dayOfWeek] = cron.trim().split(/\s+/)
  if (dayOfMonth !== '*' || month !== '*') return `Azure autoscale recurrences are weekly; "${cron}" names a day of the month or a month`
  try {
    cronValues(minute, 0, 59, 'cron')
    cronValues(hour, 0, 23, 'cron')
    cronValues(dayOfWeek, 0, 7, 'cron')
  } catch (error) {
    return (error as Error).message.replace(/^cron: /, '')
  }
  return undefined
}

/** The Windows zone name Azure takes for a time zone, or undefined when it knows none. */
export function windowsTimeZone(timezone: string): string | undefined {
  return TIME_ZONES[timezone] ?? (timezone.endsWith('Standard Time') ? timezone : undefined)
}

function recurrenceOf(cron: string, timezone: string | undefined, path: string): NonNullable<AutoscaleProfile['recurrence']> {
  const [minute, hour, dayOfMonth, month, dayOfWeek] = cron.trim().split(/\s+/)
  if (dayOfMonth !== '*' || month !== '*') {
    throw usageError(`${path}.cron: Azure autoscale recurrences are weekly; "${cron}" names a day of the month or a month.`, 'Use * for the day-of-month and month fields and pick week days in the last field.')
  }
  const days = [...new Set(cronValues(dayOfWeek, 0, 7, `${path}.cron`).map((day) => DAYS[day % 7]))]
  const zone = timezone === undefined ? 'UTC' : windowsTimeZone(timezone)
  if (!zone) throw usageError(`${path}.timezone: Azure autoscale does not know the time zone "${timezone}".`, `Use UTC, a zone such as Europe/Berlin, or a Windows time zone name such as "W. Europe Standard Time".`)
  return {
    frequency: 'Week',
    schedule: { timeZone: zone, days: DAYS.filter((day) => days.includes(day)), hours: cronValues(hour, 0, 23, `${path}.cron`), minutes: cronValues(minute, 0, 59, `${path}.cron`) },
  }
}

function trigger(context: AutoscaleContext, operator: MetricTrigger['operator'], threshold: number, windowSeconds: number): MetricTrigger {
  return {
    metricName: 'Percentage CPU', metricNamespace: 'microsoft.compute/virtualmachinescalesets', metricResourceUri: context.targetResourceUri,
    timeGrain: 'PT1M', statistic: 'Average', timeWindow: isoDuration(windowSeconds), timeAggregation: 'Average', operator, threshold, dividePerInstance: false,
  }
}

/** The rules every profile carries: the cpu pair, then one per step. */
export function compileRules(policy: Autoscale, context: AutoscaleContext, base: string): ScaleRule[] {
  const cooldown = secondsOf(policy.cooldown, DEFAULT_COOLDOWN_SECONDS)
  if (cooldown < 60 || cooldown > 7 * 86400) throw usageError(`${base}.cooldown: Azure autoscale cooldowns are between 1 minute and 7 days.`, 'Set a cooldown from 60s to 7d.')
  const stabilization = secondsOf(policy.stabilization, DEFAULT_STABILIZATION_SECONDS)
  if (stabilization < 300 || stabilization > 12 * 3600) throw usageError(`${base}.stabilization: Azure autoscale time windows are between 5 minutes and 12 hours.`, 'Set a stabilization from 5m to 12h.')
  const limit = policy.scaleInLimit
  const limitWindow = limit ? durationSeconds(limit.window) : 0
  if (limit && limitWindow > 7 * 86400) throw usageError(`${base}.scaleInLimit.window: Azure autoscale cooldowns are at most 7 days.`, 'Use a window of 7d or less.')
  // a scale-in removes at most the limit, then waits out the limit's window
  const action = (direction: 'Increase' | 'Decrease', count: number) => direction === 'Decrease' && limit
    ? { direction, type: 'ChangeCount' as const, value: String(Math.min(count, limit.replicas)), cooldown: isoDuration(Math.max(cooldown, limitWindow)) }
    : { direction, type: 'ChangeCount' as const, value: String(count), cooldown: isoDuration(cooldown) }
  if (policy.target?.memory !== undefined) throw usageError(`${base}.target.memory: Azure autoscale has no memory-utilisation metric for scale sets.`, 'Use target.cpu on azure targets.')
  if (policy.target?.requests !== undefined) throw usageError(`${base}.target.requests: the Azure Standard Load Balancer counts no requests.`, 'Use target.cpu on azure targets.')
  const rules: ScaleRule[] = []
  if (policy.target?.cpu !== undefined) {
    const target = policy.target.cpu
    rules.push(
      { metricTrigger: trigger(context, 'GreaterThan', target, SCALE_OUT_WINDOW_SECONDS), scaleAction: action('Increase', 1) },
      { metricTrigger: trigger(context, 'LessThan', Math.max(1, Math.round((target * 2) / 3)), stabilization), scaleAction: action('Decrease', 1) },
    )
  }
  for (const [index, step] of (policy.steps ?? []).entries()) {
    const path = `${base}.steps[${index}]`
    if (step.metric !== 'cpu') throw usageError(`${path}.metric: Azure scale rules here read Percentage CPU only, not ${step.metric}.`, 'Use metric: cpu on azure targets.')
    if (step.change === 0) throw usageError(`${path}.change: a step must add or remove instances.`, 'Use a positive change to add and a negative one to remove.')
    const above = step.above !== undefined
    const increase = step.change > 0
    rules.push({
      metricTrigger: trigger(context, above ? 'GreaterThan' : 'LessThan', (above ? step.above : step.below)!, increase ? SCALE_OUT_WINDOW_SECONDS : stabilization),
      scaleAction: action(increase ? 'Increase' : 'Decrease', Math.abs(step.change)),
    })
  }
  if (rules.length > MAX_RULES) throw usageError(`${base}: ${rules.length} scale rules; an Azure autoscale profile holds at most ${MAX_RULES}.`, 'Use fewer steps (a cpu target counts as two rules).')
  return rules
}

export function compileAutoscale(policy: Autoscale, context: AutoscaleContext): AutoscaleSettingBody {
  const base = `services.${context.service}.autoscale`
  if (policy.min > policy.max) throw usageError(`${base}.max: must be >= min (${policy.min}).`, 'Raise max or lower min.')
  if (policy.max > 1000) throw usageError(`${base}.max: an Azure scale set holds at most 1000 instances.`, 'Set max to 1000 or less.')
  const rules = compileRules(policy, context, base)
  const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max)
  const capacity = (min: number, max: number, desired: number) => ({ minimum: String(min), maximum: String(max), default: String(clamp(desired, min, max)) })
  const profiles: AutoscaleProfile[] = [{ name: 'default', capacity: capacity(policy.min, policy.max, policy.min), rules }]
  for (const [index, entry] of (policy.schedule ?? []).entries()) {
    const path = `${base}.schedule[${index}]`
    const min = entry.min ?? policy.min
    const max = entry.max ?? policy.max
    if (min > max) throw usageError(`${path}: min ${min} is above max ${max}.`, 'Set min <= max in the schedule entry.')
    profiles.push({ name: `schedule-${index + 1}`, capacity: capacity(min, max, entry.desired ?? min), rules, recurrence: recurrenceOf(entry.cron, entry.timezone, path) })
  }
  if (profiles.length > 20) throw usageError(`${base}.schedule: an Azure autoscale setting holds at most 20 profiles (19 schedules).`, 'Use fewer schedule entries.')
  return {
    location: context.location,
    tags: context.tags,
    properties: { name: context.name, enabled: true, targetResourceUri: context.targetResourceUri, profiles },
  }
}

/**
 * The compiler the registry loads (dry runs, golden files, the provider).
 * `resolved` carries what only the live target knows: `location` and
 * `resourceGroupId` (the scale set lives in that group); without them
 * (a dry run) the body names them as placeholders.
 */
export function autoscaleSetting({ project, service, policy, resolved }: CompileRequest): AutoscaleSettingBody {
  const group = resolved?.resourceGroupId
  return compileAutoscale(policy, {
    service,
    location: resolved?.location ?? unresolved("the target's location"),
    targetResourceUri: group ? `${group}/providers/Microsoft.Compute/virtualMachineScaleSets/${scaleSetName(project, service)}` : unresolved(`the id of scale set ${scaleSetName(project, service)}`),
    name: autoscaleSettingName(project, service),
    tags: azureTagCodec.encode({ project, service, role: 'autoscale' }).labels,
  })
}

export const compileAutoscaling: CompileAutoscaling = (request) => ({ ...autoscaleSetting(request) })
