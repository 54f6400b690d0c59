/**
 * The GCP label codec: strato's state labels (`strato.project`,
 * `strato.version`, `strato.deployed-by`...) as Compute Engine labels. Keys
 * must match [a-z][a-z0-9_-]{0,62} and values [a-z0-9_-]{0,63}, at most 64
 * of them, so `strato.` keys become `strato-` keys and a value that does not
 * fit (a version with dots, a timestamp, an e-mail address) overflows into
 * the resource's description or template metadata, kept exactly. Many
 * compute resources (groups, autoscalers, health checks, backend services,
 * firewalls) have no labels at all: their state lives in the description
 * alone. decode(encode(x)) gives back x for every x.
 */

export const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/
export const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/
export const MAX_LABELS = 64

const STRATO_PREFIX = 'strato.'
const GCP_PREFIX = 'strato-'

export interface EncodedLabels {
  /** what Compute Engine accepts as labels */
  labels: Record<string, string>
  /** what does not fit, under its original key: goes to the description or metadata */
  overflow: Record<string, string>
}

/** The GCP key for a strato key, or undefined when it has none. */
export function labelKey(key: string): string | undefined {
  const mapped = key.startsWith(STRATO_PREFIX) ? `${GCP_PREFIX}${key.slice(STRATO_PREFIX.length)}` : key
  // a user key that already reads like a mapped strato key would not come back as itself
  if (!key.startsWith(STRATO_PREFIX) && key.startsWith(GCP_PREFIX)) return undefined
  return LABEL_KEY.test(mapped) ? mapped : undefined
}

/** The strato key a GCP label key stands for. */
export function stratoKey(key: string): string {
  return key.startsWith(GCP_PREFIX) ? `${STRATO_PREFIX}${key.slice(GCP_PREFIX.length)}` : key
}

export function encodeLabels(state: Record<string, string>): EncodedLabels {
  const labels: Record<string, string> = {}
  const overflow: Record<string, string> = {}
  // strato's own keys first, so they keep a label when there are more than 64
  const keys = Object.keys(state).sort((a, b) => Number(b.startsWith(STRATO_PREFIX)) - Number(a.startsWith(STRATO_PREFIX)) || a.localeCompare(b))
  for (const key of keys) {
    const value = state[key]
    const mapped = labelKey(key)
    if (mapped !== undefined && LABEL_VALUE.test(value) && Object.keys(labels).length < MAX_LABELS) labels[mapped] = value
    else overflow[key] = value
  }
  return { labels, overflow }
}

export function decodeLabels(labels: Record<string, string> | null | undefined, overflow: Record<string, string> | null | undefined): Record<string, string> {
  const state: Record<string, string> = {}
  for (const [key, value] of Object.entries(labels ?? {})) state[stratoKey(key)] = value
  return { ...state, ...(overflow ?? {}) }
}

const DESCRIPTION_PREFIX = 'strato '

/** A description carrying state: "strato " and the JSON of the labels, keys sorted. */
export function stateDescription(state: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.keys(state).sort().map((key) => [key, state[key]]))
  return `${DESCRIPTION_PREFIX}${JSON.stringify(sorted)}`
}

/** The state a description carries, or undefined for a description strato did not write. */
export function readStateDescription(description: string | null | undefined): Record<string, string> | undefined {
  if (!description?.startsWith(`${DESCRIPTION_PREFIX}{`)) return undefined
  try {
    const parsed = JSON.parse(description.slice(DESCRIPTION_PREFIX.length)) as unknown
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
    return Object.fromEntries(Object.entries(parsed).filter(([, value]) => typeof value === 'string')) as Record<string, string>
  } catch {
    return undefined
  }
}
