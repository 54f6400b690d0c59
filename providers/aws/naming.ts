/**
 * Names and tags of what strato creates on AWS. Names make creation
 * idempotent; state is always read back from tags, never from names alone.
 */
import { createHash } from 'node:crypto'
import type { LabelState } from '../../src/labels.js'
import { awsTagCodec, TAG } from './label-codec.js'

export type Role = 'group' | 'launch-template' | 'load-balancer' | 'target-group' | 'lb-security-group' | 'app-security-group' | 'secret'

export interface Tag { Key: string; Value: string }

/** Auto Scaling group and launch template name (both allow 255 characters). */
export function groupName(project: string, service: string): string {
  return `strato-${project}-${service}`
}

export function securityGroupName(project: string, service: string, side: 'lb' | 'app'): string {
  return `strato-${project}-${service}-${side}`
}

/**
 * Load balancer and target group names allow 32 characters, letters, digits
 * and hyphens; long project/service pairs are cut and keep a short hash so
 * two services never share a name.
 */
export function shortName(project: string, service: string): string {
  const full = `${project}-${service}`
  if (full.length <= 32) return full
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6)
  return `${full.slice(0, 25).replace(/-+$/, '')}-${hash}`
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

export function stratoTags(project: string, service: string, role: Role, version?: string): Tag[] {
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
