import { describe, expect, it } from 'vitest'
import { descriptorOf } from '../../providers/descriptors.js'
import { SHIPPED_CATALOG } from '../../src/costs/catalog.js'
import { diffEstimates, diffJson, renderDiffMarkdown } from '../../src/costs/diff.js'
import { estimateManifest } from '../../src/costs/estimate.js'
import { loadManifestFile } from '../../src/manifest/load.js'

const estimate = (name: string) => estimateManifest(loadManifestFile(`test/fixtures/cost/diff/${name}.yaml`).manifest, SHIPPED_CATALOG, descriptorOf)

describe('cost diff', () => {
  // Shipped prices, us-east-1: t3.small 0.0208/h -> 15.184 a month, gp3 disk 0.64, ALB 0.0225/h -> 16.425.
  // us-central1: e2-medium 0.033503/h -> 24.45719, pd-balanced 10 GiB 1.00.
  const diff = diffEstimates(estimate('base'), estimate('head'))
  const json = diffJson(diff)

  it('shows the change per service and target', () => {
    expect(json.rows.map((row) => [row.service, row.target, row.change, row.base?.expected ?? null, row.head?.expected ?? null, row.delta])).toEqual([
      // legacy removed: 15.184 + 0.64 = 15.824 -> 15.82
      ['legacy', 'aws', 'removed', 15.82, null, -15.82],
      // orders unchanged: 15.82 on both sides
      ['orders', 'aws', 'same', 15.82, 15.82, 0],
      // search added on gcp: 24.45719 + 1.00 = 25.45719 -> 25.46
      ['search', 'gcp', 'added', null, 25.46, 25.46],
      // users 2 -> 3 replicas: base 30.368 + 1.28 + 16.425; the base's two missing cents go to the
      // largest remainders (30.368 -> 30.37, 16.425 -> 16.43), so its lines add up to 48.08.
      // head 45.552 + 1.92 + 16.425 = 63.897 -> 63.90
      ['users', 'aws', 'changed', 48.08, 63.9, 15.82],
    ])
  })

  it('totals both sides and the delta to the cent', () => {
    // base 15.824 + 15.824 + 48.073 = 79.721 -> 79.72; head 15.824 + 25.45719 + 63.897 = 105.17819 -> 105.18
    expect(json.base.total?.expected).toBe(79.72)
    expect(json.head.total?.expected).toBe(105.18)
    expect(json.delta?.expected).toBe(25.46)
    expect(json.summary).toBe('This change adds 25.46 USD per month (+31.9%): from 79.72 USD to 105.18 USD.')
  })

  it('renders a pull-request comment without the unchanged rows', () => {
    const markdown = renderDiffMarkdown(diff)
    expect(markdown).toContain('### strato cost diff')
    expect(markdown).toContain('| users | aws | 48.08 | 63.90 | +15.82 | changed |')
    expect(markdown).toContain('| legacy | aws | 15.82 | — | -15.82 | removed |')
    expect(markdown).not.toContain('| orders |')
    expect(markdown).toContain('| TOTAL |  | 79.72 | 105.18 | +25.46 | +31.9% |')
  })
})
