/**
 * Microsoft.Insights: autoscale settings (validated as Azure Monitor does,
 * and, like its engine, keeping the target scale set inside the default
 * profile's bounds) and metrics for any resource (Percentage CPU and the
 * other host metrics of a scale set, with values set by the control endpoint
 * or a steady default).
 */
import { createHash } from 'node:crypto'
import { armError, badRequest, clone, isObject, notFound, ok, type FakeResponse } from './http.ts'
import { listOfType, requireGroup, requireLocation, validateTags, type Ctx } from './routing.ts'
import type { ArmResource } from './state.ts'

const AUTOSCALE = 'Microsoft.Insights/autoscaleSettings'
const VMSS_METRICS = ['Percentage CPU', 'Network In Total', 'Network Out Total', 'Disk Read Bytes', 'Disk Write Bytes', 'Available Memory Bytes', 'CPU Credits Remaining']

/** ISO 8601 durations as autoscale uses them (PT5M, PT1H, P1D), in seconds. */
export function isoSeconds(value: unknown): number | undefined {
  const match = typeof value === 'string' ? /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value) : null
  if (!match || value === 'P' || value === 'PT') return undefined
  const [, d, h, m, s] = match.map((part) => Number(part ?? 0))
  return d * 86400 + h * 3600 + m * 60 + s
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

function validateProfiles(ctx: Ctx, properties: Record<string, unknown>): FakeResponse | undefined {
  const profiles = properties.profiles
  if (!Array.isArray(profiles) || profiles.length === 0 || profiles.length > 20) return badRequest('An autoscale setting needs between 1 and 20 profiles.', 'InvalidAutoscaleProfiles')
  const names = new Set<string>()
  for (const profile of profiles as Record<string, unknown>[]) {
    const name = String(profile.name ?? '')
    if (!name) return badRequest('Every autoscale profile needs a name.', 'InvalidAutoscaleProfiles')
    if (names.has(name)) return badRequest(`Two autoscale profiles are named ${name}.`, 'InvalidAutoscaleProfiles')
    names.add(name)
    const capacity = profile.capacity as Record<string, unknown> | undefined
    const [min, max, def] = ['minimum', 'maximum', 'default'].map((field) => (typeof capacity?.[field] === 'string' && /^\d+$/.test(capacity[field] as string) ? Number(capacity[field]) : NaN))
    if ([min, max, def].some(Number.isNaN)) return badRequest(`Profile ${name}: capacity minimum, maximum and default must be whole numbers given as strings.`, 'InvalidCapacity')
    if (min > max || def < min || def > max) return badRequest(`Profile ${name}: the default capacity ${def} must be between the minimum ${min} and the maximum ${max}.`, 'InvalidCapacity')
    if (max > 1000) return badRequest(`Profile ${name}: the maximum capacity ${max} is above 1000.`, 'InvalidCapacity')
    const rules = (profile.rules ?? []) as Record<string, unknown>[]
    if (!Array.isArray(rules) || rules.length > 10) return badRequest(`Profile ${name} has more than 10 rules.`, 'TooManyRules')
    for (const rule of rules) {
      const trigger = rule.metricTrigger as Record<string, unknown> | undefined
      const action = rule.scaleAction as Record<string, unknown> | undefined
      if (!trigger || !action) return badRequest(`Profile ${name}: every rule needs a metricTrigger and a scaleAction.`, 'InvalidRule')
      if (typeof trigger.metricResourceUri !== 'string' || !ctx.state.get(trigger.metricResourceUri)) return badRequest(`Profile ${name}: the metric resource ${String(trigger.metricResourceUri)} does not exist.`, 'InvalidRule')
      const grain = isoSeconds(trigger.timeGrain)
      const window = isoSeconds(trigger.timeWindow)
      if (grain === undefined || grain < 60 || grain > 43200) return badRequest(`Profile ${name}: timeGrain ${String(trigger.timeGrain)} must be between PT1M and PT12H.`, 'InvalidRule')
      if (window === undefined || window < 300 || window > 43200) return badRequest(`Profile ${name}: timeWindow ${String(trigger.timeWindow)} must be between PT5M and PT12H.`, 'InvalidRule')
      const cooldown = isoSeconds(action.cooldown)
      if (cooldown === undefined || cooldown < 60 || cooldown > 604800) return badRequest(`Profile ${name}: cooldown ${String(action.cooldown)} must be between PT1M and P7D.`, 'InvalidRule')
      if (!['GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual', 'Equals', 'NotEquals'].includes(String(trigger.operator))) return badRequest(`Profile ${name}: unknown operator ${String(trigger.operator)}.`, 'InvalidRule')
      if (!['Increase', 'Decrease'].includes(String(action.direction))) return badRequest(`Profile ${name}: direction must be Increase or Decrease.`, 'InvalidRule')
      if (!['ChangeCount', 'PercentChangeCount', 'ExactCount', 'ServiceAllowedNextValue'].includes(String(action.type))) return badRequest(`Profile ${name}: unknown scale type ${String(action.type)}.`, 'InvalidRule')
      if (typeof action.value !== 'string' || !/^\d+$/.test(action.value)) return badRequest(`Profile ${name}: the scale value must be a whole number given as a string.`, 'InvalidRule')
      trigger.dimensions ??= null
      trigger.dividePerInstance ??= false
    }
    const recurrence = profile.recurrence as { frequency?: string; schedule?: { timeZone?: string; days?: string[]; hours?: number[]; minutes?: number[] } } | undefined
    if (recurrence) {
      const schedule = recurrence.schedule
      if (recurrence.frequency !== 'Week') return badRequest(`Profile ${name}: recurrence frequency must be Week.`, 'InvalidRecurrence')
      if (!schedule?.timeZone || !schedule.days?.length || !schedule.hours?.length || !schedule.minutes?.length) return badRequest(`Profile ${name}: a recurrence needs timeZone, days, hours and minutes.`, 'InvalidRecurrence')
      if (schedule.days.some((day) => !DAYS.includes(day))) return badRequest(`Profile ${name}: days must be week days such as Monday.`, 'InvalidRecurrence')
      if (schedule.hours.some((hour) => !Number.isInteger(hour) || hour < 0 || hour > 23) || schedule.minutes.some((minute) => !Number.isInteger(minute) || minute < 0 || minute > 59)) {
        return badRequest(`Profile ${name}: hours must be 0-23 and minutes 0-59.`, 'InvalidRecurrence')
      }
    }
  }
  return undefined
}

/** Like the autoscale engine's first evaluation: capacity moves inside the default profile's bounds. */
function clampTarget(ctx: Ctx, setting: ArmResource): void {
  if (setting.properties.enabled === false) return
  const target = ctx.state.get(String(setting.properties.targetResourceUri))
  const set = target && ctx.state.scaleSets.get(target.id.toLowerCase())
  const profile = ((setting.properties.profiles as Record<string, unknown>[]) ?? []).find((candidate) => !candidate.recurrence && !candidate.fixedDate)
  if (!target || !set || !profile) return
  const capacity = profile.capacity as { minimum: string; maximum: string }
  const sku = target.sku as { capacity: number }
  const wanted = Math.min(Math.max(sku.capacity, Number(capacity.minimum)), Number(capacity.maximum))
  if (wanted === sku.capacity) return
  sku.capacity = wanted
  if (wanted < set.vms.length) set.vms = [...set.vms].sort((a, b) => Number(a.instanceId) - Number(b.instanceId)).slice(0, wanted)
  // growing happens through the scale set's own PUT path on the next deploy; the engine adds VMs of the current model
  for (let i = set.vms.length; i < wanted; i++) {
    const instanceId = String(set.nextInstance++)
    set.vms.push({ instanceId, vmId: crypto.randomUUID(), model: set.current, createdAt: Date.now(), bootedAt: Date.now(), privateIp: ctx.state.nextAddress('10.0'), provisioningState: 'Succeeded' })
  }
}

function autoscaleRoute(ctx: Ctx, name: string | undefined): FakeResponse | undefined {
  const { request, route, state } = ctx
  if (name === undefined) {
    return request.method === 'GET' ? ok({ value: listOfType(ctx, AUTOSCALE).map(clone) }) : undefined
  }
  if (!route.resourceGroup) return undefined
  const missing = requireGroup(ctx)
  if (missing) return missing
  // Azure Monitor answers with the lower-cased provider segment
  const id = `/subscriptions/${route.subscription}/resourceGroups/${route.resourceGroup}/providers/microsoft.insights/autoscalesettings/${name}`
  const existing = state.get(id)
  switch (request.method) {
    case 'GET':
      return existing ? ok(clone(existing)) : notFound(AUTOSCALE, name, route.resourceGroup)
    case 'DELETE':
      if (!existing) return { status: 204 }
      state.remove(id)
      return { status: 200 }
    case 'PUT':
    case 'PATCH': {
      const body = request.json
      if (!isObject(body)) return badRequest('The request body must be a JSON object.', 'InvalidRequestFormat')
      if (request.method === 'PATCH' && !existing) return notFound(AUTOSCALE, name, route.resourceGroup)
      const invalid = (request.method === 'PUT' ? requireLocation(body) : undefined) ?? validateTags(body)
      if (invalid) return invalid
      const properties = { ...(existing && request.method === 'PATCH' ? clone(existing.properties) : {}), ...(clone(body.properties) as Record<string, unknown> ?? {}) }
      const target = String(properties.targetResourceUri ?? '')
      if (!state.get(target)) return badRequest(`The target resource ${target} of the autoscale setting does not exist.`, 'TargetResourceNotFound')
      const clash = listOfType({ ...ctx, route: { ...route, resourceGroup: undefined } }, AUTOSCALE)
        .find((other) => other.id.toLowerCase() !== id.toLowerCase() && String(other.properties.targetResourceUri).toLowerCase() === target.toLowerCase())
      if (clash) return armError(409, 'Conflict', `The target resource already has the autoscale setting ${clash.name}; a resource can have only one.`)
      const refused = validateProfiles(ctx, properties)
      if (refused) return refused
      properties.enabled ??= true
      properties.name ??= name
      properties.notifications ??= null
      // predictive autoscale came with api-version 2021-05-01-preview
      if ((request.query.get('api-version') ?? '9999') >= '2021-05-01') properties.predictiveAutoscalePolicy ??= { scaleMode: 'Disabled', scaleLookAheadTime: null }
      const setting: ArmResource = {
        id, name, type: AUTOSCALE,
        location: String(body.location ?? existing?.location ?? ''),
        tags: (body.tags as Record<string, string> | undefined) ?? existing?.tags ?? {},
        properties,
      }
      state.put(setting)
      clampTarget(ctx, setting)
      return ok(clone(setting), existing ? 200 : 201)
    }
    default:
      return undefined
  }
}

function defaultCpu(id: string): number {
  return 20 + (createHash('sha256').update(id.toLowerCase()).digest()[0] % 20)
}

/** GET {resource}/providers/microsoft.insights/metrics */
function metricsRoute(ctx: Ctx): FakeResponse | undefined {
  const { request, state, route } = ctx
  if (request.method !== 'GET') return undefined
  const resource = state.get(route.scope)
  if (!resource) return armError(404, 'ResourceNotFound', `The resource ${route.scope} was not found.`)
  const names = (request.query.get('metricnames') ?? 'Percentage CPU').split(',').map((name) => name.trim())
  const unknown = names.filter((name) => !VMSS_METRICS.some((known) => known.toLowerCase() === name.toLowerCase()))
  const [, , , , , , namespace, type] = resource.id.split('/')
  if (unknown.length) {
    return badRequest(`Failed to find metric configuration for provider: ${namespace}, resource Type: ${type}, metric: ${unknown.join(',')}, Valid metrics: ${VMSS_METRICS.join(',')}`)
  }
  const interval = request.query.get('interval') ?? 'PT1M'
  const step = (isoSeconds(interval) ?? 60) * 1000
  const timespan = request.query.get('timespan')
  const [from, to] = timespan?.includes('/') ? timespan.split('/').map((part) => Date.parse(part)) : [Date.now() - 3_600_000, Date.now()]
  if (Number.isNaN(from) || Number.isNaN(to) || from >= to) return badRequest(`The timespan ${timespan} is not valid.`)
  const aggregations = (request.query.get('aggregation') ?? 'Average').split(',').map((name) => name.trim().toLowerCase())
  const start = Math.floor(from / step) * step
  const set = state.scaleSets.get(resource.id.toLowerCase())
  return ok({
    cost: 0,
    timespan: `${new Date(from).toISOString().replace('.000', '')}/${new Date(to).toISOString().replace('.000', '')}`,
    interval,
    value: names.map((name) => {
      const data: Record<string, unknown>[] = []
      for (let at = start; at < to && data.length < 1440; at += step) {
        const value = name.toLowerCase() === 'percentage cpu' ? state.cpu.get(resource.id.toLowerCase()) ?? defaultCpu(resource.id) : 1000
        const point: Record<string, unknown> = { timeStamp: new Date(at).toISOString().replace('.000', '') }
        for (const aggregation of aggregations) point[aggregation] = aggregation === 'count' ? Math.max(set?.vms.length ?? 1, 1) : value
        data.push(point)
      }
      return {
        id: `${resource.id}/providers/Microsoft.Insights/metrics/${name}`,
        type: 'Microsoft.Insights/metrics',
        name: { value: name, localizedValue: name },
        unit: name.toLowerCase() === 'percentage cpu' ? 'Percent' : 'Bytes',
        timeseries: [{ metadatavalues: [], data }],
      }
    }),
    namespace: `${namespace}/${type}`,
    resourceregion: resource.location,
  })
}

function metricDefinitionsRoute(ctx: Ctx): FakeResponse | undefined {
  const resource = ctx.state.get(ctx.route.scope)
  if (!resource) return armError(404, 'ResourceNotFound', `The resource ${ctx.route.scope} was not found.`)
  return ok({
    value: VMSS_METRICS.map((name) => ({
      id: `${resource.id}/providers/microsoft.insights/metricdefinitions/${name}`,
      resourceId: resource.id,
      name: { value: name, localizedValue: name },
      unit: name === 'Percentage CPU' ? 'Percent' : 'Bytes',
      primaryAggregationType: 'Average',
      supportedAggregationTypes: ['None', 'Average', 'Minimum', 'Maximum', 'Total', 'Count'],
      metricAvailabilities: [{ timeGrain: 'PT1M', retention: 'P93D' }, { timeGrain: 'PT1H', retention: 'P93D' }],
    })),
  })
}

export function monitorRoute(ctx: Ctx): FakeResponse | undefined {
  const [type, name, ...tail] = ctx.route.rest
  if (tail.length) return undefined
  switch ((type ?? '').toLowerCase()) {
    case 'autoscalesettings': return autoscaleRoute(ctx, name)
    case 'metrics': return name === undefined ? metricsRoute(ctx) : undefined
    case 'metricdefinitions': return name === undefined ? metricDefinitionsRoute(ctx) : undefined
    default: return undefined
  }
}
