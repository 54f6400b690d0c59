/**
 * The tag codec: strato's state on Azure is the tags of what it creates.
 * Azure tags take strato's keys as they are (strato.project, ...): names up
 * to 512 characters without < > % & \ ? /, values up to 256 characters, at
 * most 50 per resource. A value that does not fit goes to `overflow`, for the
 * caller to keep elsewhere or drop; decode reads back what encode wrote.
 */
import { LABEL } from '../../src/model.js'

export const MAX_TAG_VALUE = 256
export const MAX_TAGS = 50
const BAD_NAME = /[<>%&\\?/]/

/** What strato records about a resource. */
export interface TaggedState {
  project: string
  service?: string
  version?: string
  role?: string
  deployedBy?: string
  deployedAt?: string
}

const FIELDS: [keyof TaggedState, string][] = [
  ['project', LABEL.project], ['service', LABEL.service], ['version', LABEL.version],
  ['role', LABEL.role], ['deployedBy', LABEL.deployedBy], ['deployedAt', LABEL.deployedAt],
]

export function encodeTags(state: TaggedState): { tags: Record<string, string>; overflow: Record<string, string> } {
  const tags: Record<string, string> = {}
  const overflow: Record<string, string> = {}
  for (const [field, key] of FIELDS) {
    const value = state[field]
    if (value === undefined) continue
    if (value.length <= MAX_TAG_VALUE) tags[key] = value
    else overflow[key] = value
  }
  return { tags, overflow }
}

export function decodeTags(tags: Record<string, string> | undefined, overflow: Record<string, string> = {}): TaggedState | undefined {
  const all = { ...overflow, ...(tags ?? {}) }
  const project = all[LABEL.project]
  if (!project) return undefined
  const state: TaggedState = { project }
  for (const [field, key] of FIELDS) if (field !== 'project' && all[key] !== undefined) state[field] = all[key]
  return state
}

/** Whether a tag set can be written as is: a problem sentence, or undefined. */
export function tagProblem(tags: Record<string, string>): string | undefined {
  const entries = Object.entries(tags)
  if (entries.length > MAX_TAGS) return `${entries.length} tags, more than Azure's ${MAX_TAGS}`
  for (const [name, value] of entries) {
    if (name.length > 512 || BAD_NAME.test(name)) return `the tag name "${name}" is too long or has one of < > % & \\ ? /`
    if (value.length > MAX_TAG_VALUE) return `the value of tag "${name}" is longer than ${MAX_TAG_VALUE} characters`
  }
  return undefined
}

/** The Resource Manager $filter selecting a project's resources by tag. */
export function projectFilter(project: string): string {
  return `tagName eq '${LABEL.project}' and tagValue eq '${project.replaceAll("'", "''")}'`
}
