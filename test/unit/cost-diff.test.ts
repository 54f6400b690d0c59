import { describe, expect, it } from 'vitest'
import { descriptorOf } from '../../providers/descriptors.js'
import { SHIPPED_CATALOG } from '../../src/costs/catalog.js'
import { diffEstimates, diffJson, renderDiffMarkdown } from '../../src/costs/diff.js'
import { estimateManifest } from '../../src/costs/estimate.js'
import { loadManifestFile } from '../../src/manifest/load.js'
import { ManifestSchema } from '../../src/manifest/schema.js'

const estimate = (name: string) => estimateManifest(loadManifestFile(`test/fixtures/cost/diff/${name}.yaml`).manifest, SHIPPED_CATALOG, descriptorOf)

describe('cost diff', () => {
  // Shipped prices, us-east-1: t3.small 0.0208/h -> 15.184 a month, gp3 disk 0.64, one internal NLB for the target 0.0225/h -> 16.425
  // (users has a port and no health path: private, src/exposure.ts).
  // us-central1: e2-medium 0.033503/h -> 24.45719, pd-balanced 10 GiB 1.00.
  const diff = diffEstimates(estimate('base'), estimate('head'))
  const json = diffJson(diff)

  it('shows the change per service and target', () => {
    expect(json.rows.map((row) => [row.service, row.target, row.change, row.base?.expected ?? null, row.head?.expected ?? null, row.delta])).toEqual([
      // the target's internal balancer, shared by its private services: 16.425 on both sides; each side's
      // missing cents go to the largest remainders (16.425 -> 16.43 on both)
      ['(internal balancer)', 'aws', 'same', 16.43, 16.43, 0],
      // legacy removed: 15.184 + 0.64 = 15.824 -> 15.82
      ['legacy', 'aws', 'removed', 15.82, null, -15.82],
      // orders unchanged: 15.82 on both sides
      ['orders', 'aws', 'same', 15.82, 15.82, 0],
      // search added on gcp: 24.45719 + 1.00 = 25.45719 -> 25.46
      ['search', 'gcp', 'added', null, 25.46, 25.46],
      // users 2 -> 3 replicas: base 30.368 + 1.28 (30.368 takes the other missing cent: 30.37), so 31.65;
      // head 45.552 + 1.92 = 47.472 -> 47.47
      ['users', 'aws', 'changed', 31.65, 47.47, 15.82],
    ])
  })

  it('totals both sides and the delta to the cent', () => {
    // base 15.824 + 15.824 + 31.648 + 16.425 = 79.721 -> 79.72; head 15.824 + 25.45719 + 47.472 + 16.425 = 105.17819 -> 105.18
    expect(json.base.total?.expected).toBe(79.72)
    expect(json.head.total?.expected).toBe(105.18)
    expect(json.delta?.expected).toBe(25.46)
    expect(json.summary).toBe('This change adds 25.46 USD per month (+31.9%): from 79.72 USD to 105.18 USD.')
  })

  it('renders a pull-request comment without the unchanged rows', () => {
    const markdown = renderDiffMarkdown(diff)
    expect(markdown).toContain('### strato cost diff')
    expect(markdown).toContain('| users | aws | 31.65 | 47.47 | +15.82 | changed |')
    expect(markdown).toContain('| legacy | aws | 15.82 | — | -15.82 | removed |')
    expect(markdown).not.toContain('| orders |')
    expect(markdown).not.toContain('| (internal balancer) |')
    expect(markdown).toContain('| TOTAL |  | 79.72 | 105.18 | +25.46 | +31.9% |')
  })

  it('keeps an exactly unchanged amount unchanged, even where the totals\' last cents land elsewhere', () => {
    const web = (replicas: number) => ManifestSchema.parse({
      name: 'shop', services: { web: { image: 'local/node:24', port: 8080, health: '/healthz', replicas } },
      targets: { aws: { provider: 'aws', region: 'us-east-1', instanceType: 't3.small' } },
    })
    // base: 30.368 + 1.28 + 16.425 = 48.073, its last cent to 30.368; head: 45.552 + 1.92 + 16.425 = 63.897, its last cent to 16.425
    const rows = diffJson(diffEstimates(estimateManifest(web(2), SHIPPED_CATALOG, descriptorOf), estimateManifest(web(3), SHIPPED_CATALOG, descriptorOf))).rows
    expect(rows.map((row) => [row.service, row.change, row.base?.expected, row.head?.expected, row.delta])).toEqual([
      ['(shared balancer)', 'same', 16.42, 16.42, 0],
      ['web', 'changed', 31.65, 47.47, 15.82],
    ])
  })
})
