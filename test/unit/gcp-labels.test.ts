/** The GCP label codec on real values: what becomes a label, what overflows, and that everything comes back. */
import { describe, expect, it } from 'vitest'
import { decodeLabels, encodeLabels, LABEL_KEY, LABEL_VALUE, MAX_LABELS, readStateDescription, stateDescription } from '../../providers/gcp/labels.js'
import { LABEL } from '../../src/model.js'

const realState = {
  [LABEL.project]: 'shop',
  [LABEL.service]: 'payments',
  [LABEL.version]: '3f9c2a1b4d5e',
  [LABEL.role]: 'template',
  [LABEL.deployedBy]: 'ops.lead@example.com',
  [LABEL.deployedAt]: '2026-11-29T23:53:53.325Z',
}

describe('gcp label codec', () => {
  it('keeps what GCE accepts as labels and overflows the rest, exactly', () => {
    const { labels, overflow } = encodeLabels(realState)
    expect(labels).toEqual({ 'strato-project': 'shop', 'strato-service': 'payments', 'strato-version': '3f9c2a1b4d5e', 'strato-role': 'template' })
    expect(overflow).toEqual({ [LABEL.deployedBy]: 'ops.lead@example.com', [LABEL.deployedAt]: '2026-11-29T23:53:53.325Z' })
    for (const [key, value] of Object.entries(labels)) {
      expect(key).toMatch(LABEL_KEY)
      expect(value).toMatch(LABEL_VALUE)
    }
  })

  it('overflows versions with dots, upper case, long values and keys GCE refuses', () => {
    const { labels, overflow } = encodeLabels({
      [LABEL.version]: '1.4.2', owner: 'Platform Team', 'cost-center': 'cc-1042', 'Team.Name': 'payments',
      note: 'x'.repeat(64), empty: '',
    })
    expect(labels).toEqual({ 'cost-center': 'cc-1042', empty: '' })
    expect(overflow).toEqual({ [LABEL.version]: '1.4.2', owner: 'Platform Team', 'Team.Name': 'payments', note: 'x'.repeat(64) })
  })

  it('never lets a user key pass for one of strato\'s', () => {
    const { labels, overflow } = encodeLabels({ 'strato-project': 'other', [LABEL.project]: 'shop' })
    expect(labels).toEqual({ 'strato-project': 'shop' })
    expect(overflow).toEqual({ 'strato-project': 'other' })
    expect(decodeLabels(labels, overflow)).toEqual({ [LABEL.project]: 'shop', 'strato-project': 'other' })
  })

  it('round-trips every value, fitting or not', () => {
    const values = ['shop', '3f9c2a1b4d5e', '1.4.2', 'v2.0.0-rc.1', 'a@b.c', '2026-11-29T23:53:53Z', 'UPPER', 'with space', '', '_x-', 'ü', 'x'.repeat(63), 'x'.repeat(64)]
    for (const value of values) {
      for (const key of [LABEL.version, 'team', 'Team', 'a.b', 'k'.repeat(63), 'k'.repeat(64)]) {
        const state = { [LABEL.project]: 'shop', [key]: value }
        const { labels, overflow } = encodeLabels(state)
        expect(decodeLabels(labels, overflow), `${key}=${value}`).toEqual(state)
      }
    }
  })

  it('keeps strato\'s keys as labels when there are more than 64', () => {
    const state: Record<string, string> = { [LABEL.project]: 'shop', [LABEL.service]: 'users' }
    for (let i = 0; i < 70; i++) state[`user-${String(i).padStart(2, '0')}`] = 'v'
    const { labels, overflow } = encodeLabels(state)
    expect(Object.keys(labels)).toHaveLength(MAX_LABELS)
    expect(labels['strato-project']).toBe('shop')
    expect(labels['strato-service']).toBe('users')
    expect(Object.keys(overflow)).toHaveLength(72 - MAX_LABELS)
    expect(decodeLabels(labels, overflow)).toEqual(state)
  })

  it('carries state in a description and reads back only its own', () => {
    const description = stateDescription(realState)
    expect(description.startsWith('strato {"strato.deployed-at":')).toBe(true)
    expect(readStateDescription(description)).toEqual(realState)
    expect(readStateDescription('Managed by hand')).toBeUndefined()
    expect(readStateDescription('strato {not json')).toBeUndefined()
    expect(readStateDescription(undefined)).toBeUndefined()
  })
})
