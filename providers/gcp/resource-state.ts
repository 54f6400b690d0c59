/**
 * strato's state on a Google Cloud resource, in two places. Labels, through
 * the GCP label codec (label-codec.ts: `strato.project` as `strato-project`,
 * values that do not fit left out), on the resources that have labels
 * (templates and what they label, forwarding rules, secrets). And the whole
 * state in the description, which every resource strato creates has: many
 * (groups, autoscalers, health checks, backend services, firewalls) have no
 * labels at all, and versions, timestamps and e-mail addresses fit no label.
 * Inside strato the state is the codec's dotted entries (strato.project...).
 */
import { stateEntries, stateFromEntries } from '../../src/labels.js'
import { gcpLabelCodec } from './label-codec.js'

/** The labels a state gets: what the codec fits. */
export function labelsOf(state: Record<string, string>): Record<string, string> {
  const decoded = stateFromEntries(Object.entries(state))
  return decoded ? gcpLabelCodec.encode(decoded).labels : {}
}

/** The dotted state labels carry (only what fitted), or an empty one for labels that are not strato's. */
export function stateOfLabels(labels: Record<string, string> | null | undefined): Record<string, string> {
  const decoded = gcpLabelCodec.decode(labels ?? {})
  return decoded ? Object.fromEntries(stateEntries(decoded)) : {}
}

const DESCRIPTION_PREFIX = 'strato '

/** A description carrying state: "strato " and the JSON of the dotted entries, keys sorted. */
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
