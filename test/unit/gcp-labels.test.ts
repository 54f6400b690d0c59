/**
 * strato's state on GCP resources, on real values: what the codec puts in
 * labels (and what it leaves out), and the whole state kept in descriptions.
 */
import { describe, expect, it } from 'vitest'
import { gcpLabelCodec } from '../../providers/gcp/label-codec.js'
import { labelsOf, readStateDescription, stateDescription, stateOfLabels } from '../../providers/gcp/resource-state.js'
import { LABEL } from '../../src/model.js'

const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/

const realState = {
  [LABEL.project]: 'shop',
  [LABEL.service]: 'payments',
  [LABEL.version]: '3f9c2a1b4d5e',
  [LABEL.role]: 'template',
  [LABEL.deployedBy]: 'ops.lead@example.com',
  [LABEL.deployedAt]: '2026-11-29T23:53:53.325Z',
  'strato.image': 'europe-west1-docker.pkg.dev/acme-prod/shop/payments:1.4.2',
  'strato.target': 'gcp',
  'strato.replicas': '2',
}

describe('gcp resource state', () => {
  it('labels what GCE accepts and leaves out the rest', () => {
    const labels = labelsOf(realState)
    expect(labels).toEqual({
      'strato-project': 'shop', 'strato-service': 'payments', 'strato-version': '3f9c2a1b4d5e', 'strato-role': 'template', 'strato-target': 'gcp', 'strato-replicas': '2',
    })
    for (const [key, value] of Object.entries(labels)) {
      expect(key).toMatch(LABEL_KEY)
      expect(value).toMatch(LABEL_VALUE)
    }
    expect(gcpLabelCodec.encode({ project: 'shop', version: '1.4.2', deployedBy: 'ops.lead@example.com' }).overflow).toEqual({
      'strato.version': '1.4.2', 'strato.deployed-by': 'ops.lead@example.com',
    })
    expect(stateOfLabels(labels)).toEqual({
      'strato.project': 'shop', 'strato.service': 'payments', 'strato.version': '3f9c2a1b4d5e', 'strato.role': 'template', 'strato.target': 'gcp', 'strato.replicas': '2',
    })
    expect(stateOfLabels({ env: 'prod', 'goog-managed-by': 'x' })).toEqual({})
  })

  it('keeps the whole state in a description and reads back only its own', () => {
    const description = stateDescription(realState)
    expect(description.startsWith('strato {"strato.deployed-at":')).toBe(true)
    expect(description.length).toBeLessThanOrEqual(2048)
    expect(readStateDescription(description)).toEqual(realState)
    expect(readStateDescription('Managed by hand')).toBeUndefined()
    expect(readStateDescription('strato {not json')).toBeUndefined()
    expect(readStateDescription(undefined)).toBeUndefined()
  })

  it('round-trips labels and description together for every value, fitting or not', () => {
    for (const value of ['shop', '3f9c2a1b4d5e', '1.4.2', 'v2.0.0-rc.1', 'a@b.c', 'UPPER', 'with space', '_x-', 'ü', 'x'.repeat(63), 'x'.repeat(64)]) {
      const state = { [LABEL.project]: 'shop', [LABEL.version]: value, 'strato.note': value }
      const labels = labelsOf(state)
      expect({ ...stateOfLabels(labels), ...readStateDescription(stateDescription(state)) }, value).toEqual(state)
    }
  })
})
