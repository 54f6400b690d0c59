/**
 * Kubernetes labels: a key is an optional DNS-subdomain prefix and a name of
 * at most 63 characters of letters, digits, - _ . (strato.project fits as it
 * is); a value is at most 63 such characters, starting and ending with a
 * letter or digit. What does not fit (a timestamp's colons, a user@host) goes
 * to the object's annotations, which the provider writes next to the labels.
 */
import { dottedCodec } from '../../src/labels.js'

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/

export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/')
  const name = slash < 0 ? key : key.slice(slash + 1)
  const prefix = slash < 0 ? undefined : key.slice(0, slash)
  return NAME.test(name) && (prefix === undefined || (prefix.length <= 253 && PREFIX.test(prefix)))
}

export const kubernetesLabelCodec = dottedCodec({
  summary: 'keys: an optional DNS prefix and a name of up to 63 letters, digits, - _ .; values: up to 63 of those, starting and ending with a letter or digit; the rest goes to annotations',
  maxLabels: 64,
  fits: (key, value) => isLabelKey(key) && VALUE.test(value),
})
