/**
 * strato keeps no state file: what it needs to know about a resource (its
 * project, service, version, who deployed it) travels in the resource's
 * labels or tags. Each provider has a codec between that state and what its
 * labels can hold; what does not fit goes to `overflow`, which the provider
 * keeps elsewhere (GCP: an instance template's description or metadata).
 */
import { LABEL } from './model.js'

/** The state strato writes on a resource. */
export interface LabelState {
  project: string
  service?: string
  /** the service version (12 hex characters, see src/planning/version.ts) */
  version?: string
  /** what the resource is to strato: replica, balancer, group, ... (provider vocabulary) */
  role?: string
  deployedBy?: string
  /** ISO timestamp */
  deployedAt?: string
  /** provider extras, by short name (docker: image, ports, publish, release.number, ...) */
  extra?: Record<string, string>
}

export type LabelField = Exclude<keyof LabelState, 'extra'>

/** The names strato's state fields have in the labels of the providers that allow dots (docker, aws, azure). */
export const STATE_KEYS: Readonly<Record<LabelField, string>> = LABEL

export const EXTRA_PREFIX = 'strato.'

export interface EncodedLabels {
  /** what goes on the resource as labels or tags */
  labels: Record<string, string>
  /** what the labels cannot hold, keyed by the dotted state key; the provider keeps it elsewhere */
  overflow: Record<string, string>
}

/** The rules a provider's labels follow, stated for people (README, error messages) and enforced by its codec. */
export interface LabelRules {
  /** e.g. "keys up to 128 characters; values up to 256 of letters, digits, spaces and + - = . _ : / @" */
  summary: string
  maxLabels: number
}

export interface LabelCodec {
  readonly rules: LabelRules
  /** the label key of each state field on this provider (filters select by `keys.project`) */
  readonly keys: Record<LabelField, string>
  encode(state: LabelState): EncodedLabels
  /** the state, or undefined when the labels are not strato's (no project) */
  decode(labels: Record<string, string>, overflow?: Record<string, string>): LabelState | undefined
}

/** The state as dotted key/value pairs, in a stable order: fields first, then extras by name. */
export function stateEntries(state: LabelState): [string, string][] {
  const entries: [string, string][] = []
  for (const field of Object.keys(STATE_KEYS) as LabelField[]) {
    const value = state[field]
    if (value !== undefined) entries.push([STATE_KEYS[field], value])
  }
  for (const name of Object.keys(state.extra ?? {}).sort()) entries.push([`${EXTRA_PREFIX}${name}`, state.extra![name]])
  return entries
}

/** The state from dotted key/value pairs; anything not under strato. is ignored. */
export function stateFromEntries(entries: Iterable<[string, string]>): LabelState | undefined {
  const byKey = new Map(entries)
  const project = byKey.get(STATE_KEYS.project)
  if (project === undefined) return undefined
  const state: LabelState = { project }
  const fieldKeys = new Set(Object.values(STATE_KEYS))
  for (const field of Object.keys(STATE_KEYS) as LabelField[]) {
    const value = byKey.get(STATE_KEYS[field])
    if (value !== undefined && field !== 'project') state[field] = value
  }
  for (const [key, value] of byKey) {
    if (!key.startsWith(EXTRA_PREFIX) || fieldKeys.has(key)) continue
    state.extra = { ...state.extra, [key.slice(EXTRA_PREFIX.length)]: value }
  }
  return state
}

/**
 * A codec for providers whose label keys may keep strato's dotted names and
 * whose only limits are on lengths, characters and count (docker, aws, azure).
 */
export function dottedCodec(rules: LabelRules & { fits(key: string, value: string): boolean }): LabelCodec {
  return {
    rules: { summary: rules.summary, maxLabels: rules.maxLabels },
    keys: { ...STATE_KEYS },
    encode(state) {
      const labels: Record<string, string> = {}
      const overflow: Record<string, string> = {}
      for (const [key, value] of stateEntries(state)) {
        if (Object.keys(labels).length < rules.maxLabels && rules.fits(key, value)) labels[key] = value
        else overflow[key] = value
      }
      return { labels, overflow }
    },
    decode(labels, overflow = {}) {
      return stateFromEntries([...Object.entries(overflow), ...Object.entries(labels)])
    },
  }
}
