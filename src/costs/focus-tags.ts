/**
 * The Tags cell of a FOCUS export. The clouds write it as a JSON object
 * ({"strato.project": "shop"}) or a JSON list of {key, value} pairs, and
 * their keys differ: AWS prefixes user tags with "user:", Google labels allow
 * no dots (strato-project, strato_project). Keys are compared normalised, so
 * `tag:strato.project` and strato's own project and service find them all.
 */
import { LABEL } from '../model.js'

/** AWS's "user:" prefix dropped, lower case, "-" and "_" read as "." (Google labels allow no dots). */
export function tagKey(key: string): string {
  return key.replace(/^user:/i, '').toLowerCase().replace(/[-_]/g, '.')
}

export const PROJECT_KEY = tagKey(LABEL.project)
export const SERVICE_KEY = tagKey(LABEL.service)

/** The tags of one cell by normalised key; throws SyntaxError on text that is not a JSON object or list. */
export function parseTags(cell: string): Map<string, string> {
  const tags = new Map<string, string>()
  if (cell === '' || cell === 'NULL' || cell === '{}' || cell === '[]') return tags
  const parsed = JSON.parse(cell) as unknown
  const take = (key: unknown, value: unknown) => {
    if (typeof key !== 'string') return
    if (typeof value === 'string') tags.set(tagKey(key), value)
    else if (typeof value === 'number' || typeof value === 'boolean') tags.set(tagKey(key), String(value))
  }
  if (Array.isArray(parsed)) {
    for (const pair of parsed) if (pair && typeof pair === 'object') take((pair as { key?: unknown }).key, (pair as { value?: unknown }).value)
  } else if (parsed && typeof parsed === 'object') {
    for (const [key, value] of Object.entries(parsed)) take(key, value)
  } else if (parsed !== null) {
    throw new SyntaxError('Tags is not a JSON object or list')
  }
  return tags
}

/** strato's project and service from a Tags cell. */
export function stratoTags(cell: string): { project?: string; service?: string } {
  const tags = parseTags(cell)
  const result: { project?: string; service?: string } = {}
  if (tags.has(PROJECT_KEY)) result.project = tags.get(PROJECT_KEY)
  if (tags.has(SERVICE_KEY)) result.service = tags.get(SERVICE_KEY)
  return result
}
