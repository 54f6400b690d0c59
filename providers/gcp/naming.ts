/**
 * Names of what strato creates on Google Cloud. Every per-service resource
 * is named `strato-<project>-<service>` (templates add the version), the
 * balancer shared by a target's services `strato-<project>-<target>-http`,
 * the internal address its private services share `strato-<project>-<target>-internal`.
 * Compute Engine names are at most 63 characters of [a-z0-9-], starting
 * with a letter and not ending with a hyphen: a longer name is cut and
 * keeps a short hash of the whole, so two services never share one. Names
 * find resources quickly; their owner is confirmed from labels or the
 * description (see labels.ts), since `strato-shop-` also prefixes the
 * resources of a project called shop-api.
 */
import { createHash } from 'node:crypto'

export const NAME_LIMIT = 63
/** IAM service account ids: 6-30 characters. */
const ACCOUNT_LIMIT = 30

const hash6 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 6)

/** `full` if it fits `limit`, else its head, a hash of the whole and `suffix` (kept whole). */
export function fitName(full: string, limit = NAME_LIMIT, suffix = ''): string {
  const whole = suffix ? `${full}-${suffix}` : full
  if (whole.length <= limit) return whole
  const room = limit - 7 - (suffix ? suffix.length + 1 : 0)
  const head = full.slice(0, Math.max(1, room)).replace(/-+$/, '')
  return [head, hash6(whole), suffix].filter(Boolean).join('-')
}

/** The group, autoscaler, health check, backend service and firewall of a service. */
export function serviceResourceName(project: string, service: string): string {
  return fitName(`strato-${project}-${service}`)
}

/**
 * One template per version: the version stays readable at the end of the name. The containers'
 * hosts (the private services' address) are part of a template too: when they change, the same
 * version gets a new template, named with a hash of them.
 */
export function templateName(project: string, service: string, version: string, hosts: Record<string, string> = {}): string {
  const entries = Object.entries(hosts).sort(([a], [b]) => a.localeCompare(b))
  const suffix = version.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 20)
  return fitName(`strato-${project}-${service}`, NAME_LIMIT, entries.length ? `${suffix}-${hash6(JSON.stringify(entries))}` : suffix)
}

/** URL map, target proxy and forwarding rule of a target's HTTP balancer. */
export function balancerName(project: string, target: string): string {
  return fitName(`strato-${project}-${target}`, NAME_LIMIT, 'http')
}

/** The reserved internal address a target's private services share (one forwarding rule per service port). */
export function internalAddressName(project: string, target: string): string {
  return fitName(`strato-${project}-${target}`, NAME_LIMIT, 'internal')
}

/** The network tag the service's instances carry; its firewall rule targets it. */
export function networkTag(project: string, service: string): string {
  return serviceResourceName(project, service)
}

/** The instances' service account id (6-30 characters). */
export function serviceAccountId(project: string): string {
  return fitName(`strato-${project}`, ACCOUNT_LIMIT)
}

export function serviceAccountEmail(project: string, gcpProject: string): string {
  return `${serviceAccountId(project)}@${gcpProject}.iam.gserviceaccount.com`
}

/** The Secret Manager secret that holds one secret of a project (ids allow letters, digits, _ and -). */
export function secretId(project: string, secret: string): string {
  return `strato-${project}-${secret}`
}

/** The prefix a project's names start with, as a list filter (a regular expression on name). */
export function projectNameFilter(project: string): string {
  return `name eq strato-${project}-.*`
}
