/**
 * Rules that span fields, which a per-field schema cannot state. They run on
 * the raw document even when the schema found problems, so that one run
 * reports everything; each guard checks the shape it relies on.
 */
import { describeRoute, routeKey, serviceRoute } from '../lb/routes.js'
import { MAX_REPLICAS_PER_SERVICE, MAX_REPLICAS_REASON, TARGET_REPLICA_LIMITS } from './limits.js'
import type { ProviderKind } from './schema.js'

export interface RawIssue {
  path: (string | number)[]
  message: string
  /** point at the key itself rather than its value */
  atKey?: boolean
}

type Raw = Record<string, unknown>

const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value)
const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value)

export function crossFieldIssues(data: unknown): RawIssue[] {
  if (!isObject(data)) return []
  const issues: RawIssue[] = []
  const services = isObject(data.services) ? data.services : {}
  const targets = isObject(data.targets) ? data.targets : {}
  const targetNames = Object.keys(targets)
  // Sets, not lists: a manifest with thousands of services checks each reference in constant time.
  const serviceSet = new Set(Object.keys(services))
  const targetSet = new Set(targetNames)
  const limitOf = (target: string) => {
    const kind = (targets[target] as Raw | undefined)?.provider
    return typeof kind === 'string' ? TARGET_REPLICA_LIMITS[kind as ProviderKind] : undefined
  }

  for (const [name, service] of Object.entries(services)) {
    if (!isObject(service)) continue
    const at = ['services', name]
    if (service.build === undefined && service.image === undefined) {
      issues.push({ path: at, message: 'needs either build (a folder with a Dockerfile) or image (an image reference)', atKey: true })
    }
    if (service.build !== undefined && service.image !== undefined) {
      issues.push({ path: [...at, 'image'], message: 'give either build or image, not both', atKey: true })
    }
    if (typeof service.image === 'string' && /:latest$/.test(service.image)) {
      issues.push({ path: [...at, 'image'], message: 'pin a version tag or digest instead of "latest", so deploys are repeatable' })
    }
    if (service.health !== undefined && service.port === undefined) {
      issues.push({ path: [...at, 'health'], message: 'a health path needs a port to probe; add services.' + name + '.port', atKey: true })
    }
    if (service.route !== undefined && service.port === undefined) {
      issues.push({ path: [...at, 'route'], message: 'a route needs a port to send requests to; add services.' + name + '.port', atKey: true })
    }
    if (service.expose === 'public' && (service.port === undefined || service.health === undefined)) {
      issues.push({ path: [...at, 'expose'], message: `a public service needs a port and an HTTP health path for the balancer to probe; add services.${name}.port and services.${name}.health, or make it private`, atKey: true })
    }
    if (service.expose === 'private' && service.route !== undefined) {
      issues.push({ path: [...at, 'route'], message: 'a private service is on no balancer, so a route has nothing to send; remove the route or make the service public', atKey: true })
    }
    if (service.expose === 'private' && service.port === undefined) {
      issues.push({ path: [...at, 'expose'], message: `a private service is reached on its port; add services.${name}.port`, atKey: true })
    }
    const autoscale = service.autoscale
    if (isObject(autoscale)) {
      if (isInt(autoscale.min) && isInt(autoscale.max) && autoscale.max < autoscale.min) {
        issues.push({ path: [...at, 'autoscale', 'max'], message: `must be >= min (${autoscale.min})` })
      }
      if (isInt(service.replicas) && isInt(autoscale.min) && isInt(autoscale.max) &&
          (service.replicas < autoscale.min || service.replicas > autoscale.max)) {
        issues.push({ path: [...at, 'replicas'], message: `must be within autoscale min..max (${autoscale.min}..${autoscale.max})` })
      }
      if (autoscale.target === undefined && autoscale.steps === undefined && autoscale.schedule === undefined) {
        issues.push({ path: [...at, 'autoscale'], message: 'needs a target, steps or schedule to scale on', atKey: true })
      }
      if (Array.isArray(autoscale.schedule)) {
        autoscale.schedule.forEach((rule, index) => {
          if (isObject(rule) && isInt(rule.min) && isInt(rule.max) && rule.max < rule.min) {
            issues.push({ path: [...at, 'autoscale', 'schedule', index, 'max'], message: `must be >= min (${rule.min})` })
          }
        })
      }
    }
    for (const key of ['dependsOn', 'targets'] as const) {
      const list = service[key]
      const known = key === 'dependsOn' ? serviceSet : targetSet
      if (!Array.isArray(list)) continue
      list.forEach((ref, index) => {
        if (typeof ref === 'string' && !known.has(ref)) {
          const noun = key === 'dependsOn' ? 'service' : 'target'
          issues.push({ path: [...at, key, index], message: `unknown ${noun} "${ref}"; known: ${[...known].slice(0, 20).join(', ') || 'none'}${known.size > 20 ? ', ...' : ''}` })
        }
      })
    }
    issues.push(...replicaBounds(service, at, onlyTarget(service, targetNames), limitOf))
  }

  for (const [name, target] of Object.entries(targets)) {
    if (!isObject(target) || !Array.isArray(target.writableRoot)) continue
    target.writableRoot.forEach((ref, index) => {
      if (typeof ref === 'string' && !serviceSet.has(ref)) {
        issues.push({ path: ['targets', name, 'writableRoot', index], message: `unknown service "${ref}"; known: ${[...serviceSet].slice(0, 20).join(', ') || 'none'}` })
      }
    })
  }

  issues.push(...routeClashes(services))
  for (const [name, target] of Object.entries(targets)) {
    // a regional group spreads over zones of one region: the target's zone's
    if (!isObject(target) || target.provider !== 'gcp' || typeof target.zone !== 'string' || !Array.isArray(target.zones)) continue
    const region = target.zone.replace(/-[a-z]$/, '')
    target.zones.forEach((zone, index) => {
      if (typeof zone === 'string' && zone.replace(/-[a-z]$/, '') !== region) {
        issues.push({ path: ['targets', name, 'zones', index], message: `must be a zone of ${region}, the region of zone ${target.zone}` })
      }
    })
  }

  if (Array.isArray(data.placement)) {
    data.placement.forEach((entry, index) => {
      if (isObject(entry) && typeof entry.target === 'string' && !targetSet.has(entry.target)) {
        issues.push({ path: ['placement', index, 'target'], message: `unknown target "${entry.target}"; known: ${targetNames.join(', ') || 'none (add a targets section)'}` })
      }
      const limit = isObject(entry) && typeof entry.target === 'string' ? limitOf(entry.target) : undefined
      if (isObject(entry) && isInt(entry.max) && limit && entry.max > limit.max) {
        issues.push({ path: ['placement', index, 'max'], message: `must be <= ${limit.max} on target ${entry.target}: ${limit.why}` })
      }
    })
  }

  const lb = data.loadBalancer
  if (isObject(lb) && lb.hashOn !== undefined && lb.algorithm !== 'consistent-hash') {
    issues.push({ path: ['loadBalancer', 'hashOn'], message: 'only applies to algorithm: consistent-hash', atKey: true })
  }

  return issues
}

/** Two services with a port and the same route would receive each other's requests on a shared balancer. */
function routeClashes(services: Raw): RawIssue[] {
  const issues: RawIssue[] = []
  const owners = new Map<string, string>()
  for (const [name, service] of Object.entries(services)) {
    if (!isObject(service) || service.port === undefined) continue
    const raw = service.route
    if (raw !== undefined && !(isObject(raw) && (typeof raw.path === 'string' || typeof raw.host === 'string'))) continue
    const route = serviceRoute(name, isObject(raw) ? { path: typeof raw.path === 'string' ? raw.path : undefined, host: typeof raw.host === 'string' ? raw.host : undefined } : undefined)
    const key = routeKey(route)
    const owner = owners.get(key)
    if (owner === undefined) {
      owners.set(key, name)
      continue
    }
    issues.push(raw === undefined
      ? { path: ['services', name], message: `its default route (${describeRoute(route)}) is services.${owner}'s route too; give one of them another route.path or a route.host`, atKey: true }
      : { path: ['services', name, 'route'], message: `${describeRoute(route)} is services.${owner}'s route too; give each service its own path or host` })
  }
  return issues
}

/** The one target a service runs on, when that is certain: it names one, or the manifest has one. */
function onlyTarget(service: Raw, targetNames: string[]): string | undefined {
  if (Array.isArray(service.targets) && service.targets.length === 1 && typeof service.targets[0] === 'string') return service.targets[0]
  return targetNames.length === 1 ? targetNames[0] : undefined
}

/** Replica counts above strato's bound per service, or above the service's only target's bound. */
function replicaBounds(service: Raw, at: (string | number)[], target: string | undefined, limitOf: (target: string) => { max: number; why: string } | undefined): RawIssue[] {
  const counts: { path: (string | number)[]; value: unknown }[] = [{ path: [...at, 'replicas'], value: service.replicas }]
  const autoscale = service.autoscale
  if (isObject(autoscale)) {
    counts.push({ path: [...at, 'autoscale', 'min'], value: autoscale.min }, { path: [...at, 'autoscale', 'max'], value: autoscale.max })
    if (Array.isArray(autoscale.schedule)) {
      autoscale.schedule.forEach((rule, index) => {
        if (!isObject(rule)) return
        for (const key of ['min', 'max', 'desired']) counts.push({ path: [...at, 'autoscale', 'schedule', index, key], value: rule[key] })
      })
    }
  }
  const limit = target ? limitOf(target) : undefined
  const issues: RawIssue[] = []
  for (const { path, value } of counts) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue
    if (value > MAX_REPLICAS_PER_SERVICE) issues.push({ path, message: `must be <= ${MAX_REPLICAS_PER_SERVICE}: ${MAX_REPLICAS_REASON}` })
    else if (limit && value > limit.max) issues.push({ path, message: `must be <= ${limit.max} on target ${target}: ${limit.why}` })
  }
  return issues
}
