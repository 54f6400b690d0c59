/**
 * Each provider's label codec: strato's state in, labels (and what does not
 * fit, the overflow) out, and back to the same state, including values that
 * do not fit a provider's rules.
 */
import { describe, expect, it } from 'vitest'
import type { LabelCodec, LabelState } from '../../src/labels.js'
import { awsTagCodec } from '../../providers/aws/label-codec.js'
import { azureTagCodec } from '../../providers/azure/label-codec.js'
import { dockerLabelCodec } from '../../providers/docker/label-codec.js'
import { gcpLabelCodec } from '../../providers/gcp/label-codec.js'
import { isLabelKey, kubernetesLabelCodec } from '../../providers/kubernetes/label-codec.js'

const replica: LabelState = {
  project: 'shop', service: 'orders', version: '3f9c2a1b7d0e', role: 'replica',
  deployedBy: 'ops@build-7.example', deployedAt: '2026-11-02T09:30:00.000Z', extra: { image: 'strato-shop-orders:3f9c2a1b7d0e' },
}

function roundTrip(codec: LabelCodec, state: LabelState) {
  const encoded = codec.encode(state)
  expect(Object.keys(encoded.labels).length).toBeLessThanOrEqual(codec.rules.maxLabels)
  expect(codec.decode(encoded.labels, encoded.overflow)).toEqual(state)
  return encoded
}

describe('docker labels', () => {
  it('keep strato.* names and any value', () => {
    const odd = { ...replica, extra: { ...replica.extra, 'release.services': '{"orders":{"version":"3f9c","replicas":2}}', note: 'line one\nline two, ünïcode' } }
    const { labels, overflow } = roundTrip(dockerLabelCodec, odd)
    expect(labels['strato.project']).toBe('shop')
    expect(labels['strato.deployed-by']).toBe('ops@build-7.example')
    expect(labels['strato.release.services']).toBe(odd.extra['release.services'])
    expect(overflow).toEqual({})
  })

  it('reads nothing from labels without a project', () => {
    expect(dockerLabelCodec.decode({ 'com.example.owner': 'team', 'strato.service': 'orders' })).toBeUndefined()
  })
})

describe('aws tags', () => {
  it('keep strato.* names; timestamps and e-mails fit', () => {
    const { labels, overflow } = roundTrip(awsTagCodec, replica)
    expect(labels).toMatchObject({ 'strato.project': 'shop', 'strato.version': '3f9c2a1b7d0e', 'strato.deployed-at': '2026-11-02T09:30:00.000Z' })
    expect(overflow).toEqual({})
  })

  it('overflow values longer than 256 characters or with characters tags refuse', () => {
    const state = { ...replica, deployedBy: 'ops#1 <ops@example>', extra: { image: 'x'.repeat(257) } }
    const { labels, overflow } = roundTrip(awsTagCodec, state)
    expect(overflow).toEqual({ 'strato.deployed-by': 'ops#1 <ops@example>', 'strato.image': 'x'.repeat(257) })
    expect(labels['strato.deployed-by']).toBeUndefined()
  })

  it('keep at most 50 tags, the project first', () => {
    const extra = Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`extra${String(index).padStart(2, '0')}`, 'v']))
    const { labels, overflow } = roundTrip(awsTagCodec, { project: 'shop', extra })
    expect(Object.keys(labels)).toHaveLength(50)
    expect(labels['strato.project']).toBe('shop')
    expect(Object.keys(overflow)).toHaveLength(11)
  })
})

describe('azure tags', () => {
  it('keep strato.* names and values up to 256 characters', () => {
    const long = { ...replica, extra: { ...replica.extra, 'release.services': 'y'.repeat(300) } }
    const { labels, overflow } = roundTrip(azureTagCodec, long)
    expect(labels['strato.deployed-by']).toBe('ops@build-7.example')
    expect(overflow).toEqual({ 'strato.release.services': 'y'.repeat(300) })
  })
})

describe('gcp labels', () => {
  it('use dashes for strato\'s keys and keep names and versions as labels', () => {
    const { labels } = roundTrip(gcpLabelCodec, { project: 'shop', service: 'orders', version: '3f9c2a1b7d0e', role: 'replica' })
    expect(labels).toEqual({ 'strato-project': 'shop', 'strato-service': 'orders', 'strato-version': '3f9c2a1b7d0e', 'strato-role': 'replica' })
    expect(gcpLabelCodec.keys.project).toBe('strato-project')
  })

  it('send timestamps, e-mail addresses, dotted versions and capitals to the overflow', () => {
    const state: LabelState = { ...replica, version: 'v1.4.2', extra: { image: 'registry.example/orders:1.4.2', 'release.number': '12', Zone: 'EU' } }
    const { labels, overflow } = roundTrip(gcpLabelCodec, state)
    expect(labels).toEqual({ 'strato-project': 'shop', 'strato-service': 'orders', 'strato-role': 'replica', 'strato-release_number': '12' })
    expect(overflow).toEqual({
      'strato.version': 'v1.4.2',
      'strato.deployed-by': 'ops@build-7.example',
      'strato.deployed-at': '2026-11-02T09:30:00.000Z',
      'strato.image': 'registry.example/orders:1.4.2',
      'strato.Zone': 'EU',
    })
    for (const [key, value] of Object.entries(labels)) {
      expect(key).toMatch(/^[a-z][a-z0-9_-]{0,62}$/)
      expect(value).toMatch(/^[a-z0-9_-]{0,63}$/)
    }
  })

  it('overflow a value longer than 63 characters, and ignore labels that are not strato\'s', () => {
    const { overflow } = roundTrip(gcpLabelCodec, { project: 'shop', service: 'a'.repeat(64) })
    expect(overflow).toEqual({ 'strato.service': 'a'.repeat(64) })
    expect(gcpLabelCodec.decode({ 'strato-project': 'shop', 'goog-managed-by': 'x', env: 'prod' })).toEqual({ project: 'shop' })
  })
})

describe('kubernetes labels', () => {
  it('keep strato.* keys; timestamps, user@host and long values go to annotations', () => {
    const long = { ...replica, extra: { ...replica.extra, note: 'x'.repeat(64) } }
    const { labels, overflow } = roundTrip(kubernetesLabelCodec, long)
    expect(labels).toEqual({ 'strato.project': 'shop', 'strato.service': 'orders', 'strato.version': '3f9c2a1b7d0e', 'strato.role': 'replica' })
    expect(overflow).toEqual({
      'strato.deployed-by': 'ops@build-7.example', 'strato.deployed-at': '2026-11-02T09:30:00.000Z',
      'strato.image': 'strato-shop-orders:3f9c2a1b7d0e', 'strato.note': 'x'.repeat(64),
    })
  })

  it('accepts a value of 63 characters and an empty one, not 64 or one ending in a dash', () => {
    const fits = (value: string) => Object.keys(kubernetesLabelCodec.encode({ project: 'shop', service: value }).labels).includes('strato.service')
    expect(fits('a'.repeat(63))).toBe(true)
    expect(fits('')).toBe(true)
    expect(fits('a'.repeat(64))).toBe(false)
    expect(fits('orders-')).toBe(false)
  })

  it('knows a label key: an optional DNS prefix, a name of up to 63 characters', () => {
    expect(isLabelKey('strato.project')).toBe(true)
    expect(isLabelKey('app.kubernetes.io/name')).toBe(true)
    expect(isLabelKey('Example.com/name')).toBe(false)
    expect(isLabelKey(`x/${'n'.repeat(64)}`)).toBe(false)
  })
})
