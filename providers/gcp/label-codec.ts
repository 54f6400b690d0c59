/**
 * GCE labels: keys [a-z][a-z0-9_-]{0,62}, values [a-z0-9_-]{0,63}, at most 64,
 * and no dots. strato.project becomes strato-project; extras become
 * strato-<name> with dots as underscores (strato.release.number ->
 * strato-release_number). Versions are lowercase hex and names DNS labels, so
 * they fit; timestamps, e-mail addresses and anything else that does not
 * overflows, and the provider keeps it in the instance template's
 * description or metadata.
 */
import { EXTRA_PREFIX, STATE_KEYS, stateEntries, stateFromEntries, type LabelCodec, type LabelField } from '../../src/labels.js'

const KEY = /^[a-z][a-z0-9_-]{0,62}$/
const VALUE = /^[a-z0-9_-]{0,63}$/
const MAX_LABELS = 64

const FIELD_KEYS = Object.fromEntries(Object.entries(STATE_KEYS).map(([field, dotted]) => [field, dotted.replace('.', '-')])) as Record<LabelField, string>
const DOTTED_BY_KEY = new Map(Object.entries(FIELD_KEYS).map(([field, key]) => [key, STATE_KEYS[field as LabelField]]))
const DOTTED_FIELDS = new Set(Object.values(STATE_KEYS))

/** The GCE label key for a dotted state key. */
function labelKey(dotted: string): string {
  if (DOTTED_FIELDS.has(dotted)) return dotted.replace('.', '-')
  return `strato-${dotted.slice(EXTRA_PREFIX.length).replaceAll('.', '_')}`
}

function dottedKey(key: string): string | undefined {
  if (DOTTED_BY_KEY.has(key)) return DOTTED_BY_KEY.get(key)
  return key.startsWith('strato-') ? `${EXTRA_PREFIX}${key.slice('strato-'.length).replaceAll('_', '.')}` : undefined
}

export const gcpLabelCodec: LabelCodec = {
  rules: { summary: 'keys [a-z][a-z0-9_-]{0,62}, values [a-z0-9_-]{0,63}, no dots; 64 labels', maxLabels: MAX_LABELS },
  keys: FIELD_KEYS,
  encode(state) {
    const labels: Record<string, string> = {}
    const overflow: Record<string, string> = {}
    for (const [dotted, value] of stateEntries(state)) {
      const key = labelKey(dotted)
      if (Object.keys(labels).length < MAX_LABELS && KEY.test(key) && VALUE.test(value)) labels[key] = value
      else overflow[dotted] = value
    }
    return { labels, overflow }
  },
  decode(labels, overflow = {}) {
    const entries: [string, string][] = Object.entries(overflow)
    for (const [key, value] of Object.entries(labels)) {
      const dotted = dottedKey(key)
      if (dotted) entries.push([dotted, value])
    }
    return stateFromEntries(entries)
  },
}
