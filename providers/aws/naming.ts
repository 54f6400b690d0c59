/**
 * Names and tags of what strato creates on AWS. Names make creation
 * idempotent; state is always read back from tags, never from names alone.
 */
import { createHash } from 'node:crypto'
import type { LabelState } from '../../src/labels.js'
import { awsTagCodec, TAG } from './label-codec.js'

/**
 * What a resource is to strato. The target's shared balancer and its security
 * group carry no service tag; `target-group` is the role of the per-service
 * target groups strato made before balancers were shared (a deploy moves
 * their services to a `route-target-group` behind the shared balancer).
 * The internal balancer of the private services carries no service tag
 * either; each private service's TCP target group is a `private-target-group`.
 */
export type Role = 'group' | 'launch-template' | 'load-balancer' | 'target-group' | 'route-target-group' | 'listener-rule' | 'lb-security-group' | 'app-security-group' | 'secret'
  | 'internal-load-balancer' | 'private-target-group'

export interface Tag { Key: string; Value: string }

/** Auto Scaling group and launch template name (both allow 255 characters). */
export function groupName(project: string, service: string): string {
  return `strato-${project}-${service}`
}

/** The instances' group of a service (`app`), or the target's shared balancer's group (`lb`, no service). */
export function securityGroupName(project: string, service: string | undefined, side: 'lb' | 'app'): string {
  return service === undefined ? `strato-${project}-${side}` : `strato-${project}-${service}-${side}`
}

/**
 * Load balancer and target group names allow 32 characters, letters, digits
 * and hyphens; long names are cut and keep a short hash so two never clash.
 */
export function elbName(full: string): string {
  if (full.length <= 32) return full
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6)
  return `${full.slice(0, 25).replace(/-+$/, '')}-${hash}`
}

/** The target's one balancer for all the project's services. */
export function balancerName(project: string): string {
  return elbName(`strato-${project}`)
}

/** The target's one internal balancer for the project's private services. */
export function internalBalancerName(project: string): string {
  return elbName(`strato-${project}-internal`)
}

/** The target group the shared balancer's rule for a service forwards to. */
export function targetGroupName(project: string, service: string): string {
  return elbName(`strato-${project}-${service}`)
}

/** The SSM parameter that holds one secret of a project. */
export function secretParameterName(project: string, secret: string): string {
  return `/strato/${project}/${secret}`
}

/**
 * strato's state as tags, through the codec. Everything strato writes on AWS
 * fits (names are DNS labels, versions hex), so an overflow is a bug here.
 */
export function stateTags(state: LabelState): Tag[] {
  const { labels, overflow } = awsTagCodec.encode(state)
  if (Object.keys(overflow).length > 0) throw new Error(`strato's state does not fit in AWS tags: ${Object.keys(overflow).join(', ')}`)
  return Object.entries(labels).map(([Key, Value]) => ({ Key, Value }))
}

export function stratoTags(project: string, service: string | undefined, role: Role, version?: string): Tag[] {
  return stateTags({ project, service, role, version })
}

export function tagMap(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const map: Record<string, string> = {}
  for (const tag of tags ?? []) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? ''
  return map
}

/** The EC2 describe filter that selects a project's resources by tag. */
export function projectFilter(project: string) {
  return { Name: `tag:${TAG.project}`, Values: [project] }
}
