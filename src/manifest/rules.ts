/**
 * Rules that span fields, which a per-field schema cannot state. They run on
 * the raw document even when the schema found problems, so that one run
 * reports everything; each guard checks the shape it relies on.
 */

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
  const serviceNames = Object.keys(services)

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
      const known = key === 'dependsOn' ? serviceNames : targetNames
      if (!Array.isArray(list)) continue
      list.forEach((ref, index) => {
        if (typeof ref === 'string' && !known.includes(ref)) {
          const noun = key === 'dependsOn' ? 'service' : 'target'
          issues.push({ path: [...at, key, index], message: `unknown ${noun} "${ref}"; known: ${known.join(', ') || 'none'}` })
        }
      })
    }
  }

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
      if (isObject(entry) && typeof entry.target === 'string' && !targetNames.includes(entry.target)) {
        issues.push({ path: ['placement', index, 'target'], message: `unknown target "${entry.target}"; known: ${targetNames.join(', ') || 'none (add a targets section)'}` })
      }
    })
  }

  const lb = data.loadBalancer
  if (isObject(lb) && lb.hashOn !== undefined && lb.algorithm !== 'consistent-hash') {
    issues.push({ path: ['loadBalancer', 'hashOn'], message: 'only applies to algorithm: consistent-hash', atKey: true })
  }

  return issues
}
