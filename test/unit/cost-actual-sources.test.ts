import { describe, expect, it } from 'vitest'
import { actualJson } from '../../src/costs/actual-report.js'
import { actualReport, providerGroups, spendPeriod } from '../../src/costs/actual.js'
import { parseQuery } from '../../src/costs/focus-query.js'
import { periodDays, targetSpend, type SpendSource } from '../../src/costs/actual-sources.js'
import type { DescriptorLookup } from '../../src/capabilities.js'
import { notSupported, UserError } from '../../src/errors.js'
import { DESCRIPTORS } from '../../providers/descriptors.js'
import { ManifestSchema } from '../../src/manifest/schema.js'
import type { Progress, Resource } from '../../src/model.js'

const manifest = ManifestSchema.parse({
  name: 'shop',
  services: {
    users: { image: 'local/node:24', resources: { cpu: 1, memory: '1Gi' } },
    orders: { image: 'local/node:24' },
  },
  targets: {
    onprem: { provider: 'docker', cost: { monthly: 300, cpus: 4, memory: '8Gi' } },
    aws: { provider: 'aws', region: 'eu-west-1' },
    gcp: { provider: 'gcp', project: 'acme-prod', zone: 'europe-west1-b' },
    azure: { provider: 'azure', location: 'westeurope' },
  },
})

const period = { start: '2026-11-01', end: '2026-11-03', granularity: 'daily' as const }
const container = (service: string, state: Resource['state'] = 'running'): Resource => ({ id: `${service}-${state}`, kind: 'container', target: 'onprem', service, state, labels: {} })

const quiet = { metrics: async () => [], close: async () => {} }
const sources: Record<string, () => SpendSource> = {
  onprem: () => ({
    ...quiet,
    // the descriptor says docker spend comes from the model: costs() is never asked
    costs: async () => { throw new Error('costs() called for a target whose spend comes from the model') },
    inventory: async () => [container('users'), { ...container('users'), id: 'u2' }, container('users', 'stopped'), container('orders'), { id: 'lb', kind: 'balancer', target: 'onprem', service: 'users', state: 'running', labels: {} }],
    // orders reserves nothing: it is charged by use, 40% of one CPU and 25% of the host's 8 GiB
    metrics: async (service) => service === 'orders'
      ? [{ at: '2026-11-02T12:00:00Z', metric: 'cpu', value: 40, replicas: 1 }, { at: '2026-11-02T12:00:00Z', metric: 'memory', value: 25, replicas: 1 }]
      : [],
  }),
  aws: () => ({
    ...quiet,
    costs: async () => [{ provider: 'aws', target: 'aws', service: 'users', date: '2026-11-01', amount: 1.25, currency: 'USD', source: 'Cost Explorer' }],
    inventory: async () => [],
  }),
  azure: () => ({
    ...quiet,
    costs: async () => { throw new UserError('Azure refused the credentials.', { code: 'denied' }) },
    inventory: async () => [],
  }),
}

// Azure as if its provider were built and reported spend, to see a provider's refusal fail the run;
// GCP as a kind whose spend comes from FOCUS exports only, to see that branch.
const descriptors: DescriptorLookup = (kind) => {
  if (kind === 'azure') return { ...DESCRIPTORS.azure, spend: { source: 'provider', how: 'Cost Management' } }
  if (kind === 'gcp') return { ...DESCRIPTORS.gcp, spend: { source: 'focus', how: 'FOCUS exports of the billing account (strato cost actual --focus)' } }
  return DESCRIPTORS[kind]
}

describe('spend from targets', () => {
  it('takes spend from where each descriptor says: the provider, the on-prem model, or FOCUS only', async () => {
    const warnings: string[] = []
    const progress: Progress = { step() {}, done() {}, warn: (message) => warnings.push(message) }
    const open = async (name: string) => {
      if (!sources[name]) throw notSupported(`The provider of target "${name}"`)
      return sources[name]()
    }
    const result = await targetSpend(manifest, ['onprem', 'aws', 'gcp', 'azure'], period, open, progress, descriptors)

    // onprem: 300 / 30 = 10.00 a day; users reserve max(1/4, 1Gi/8Gi) = 25% each, two running = 5.00 a day;
    // orders uses max(0.4/4, 2Gi/8Gi) = 25% = 2.50 a day; idle 2.50 a day.
    const { by } = parseQuery({ by: ['service', 'provider'] })
    const json = actualJson(actualReport(providerGroups(result.lines, by), by, ['BilledCost']), result.notes)
    expect(json.rows.map((row) => [row.group.service, row.group.provider, row.amounts.BilledCost])).toEqual([
      ['(idle capacity)', 'docker', 5],
      ['orders', 'docker', 5],
      ['users', 'aws', 1.25],
      ['users', 'docker', 10],
    ])
    expect(result.notes[0].detail).toBe('on-prem model: hosts\' cost over 2 day(s), shared by the reservations of the 3 running replica(s); by current use for orders')
    expect(json.totals).toMatchObject([{ currency: 'USD', amounts: { BilledCost: 21.25 }, tagged: { BilledCost: 21.25 }, untagged: { BilledCost: 0 } }])
    expect(result.failures.map((failure) => [failure.target, failure.error.exitCode])).toEqual([['azure', 5]])
    expect(warnings).toEqual([
      'target gcp: not included: GCP spend comes from FOCUS exports of the billing account (strato cost actual --focus)',
      'target azure: Azure refused the credentials.',
    ])
  })

  it('groups provider spend only by what providers report', () => {
    expect(() => providerGroups([], parseQuery({ by: ['ServiceName'] }).by)).toThrow(expect.objectContaining({ exitCode: 2 }))
  })

  it('asks providers for --from to --to, both days included, else the month to date', () => {
    const monthToDate = { start: '2026-11-01', end: '2026-11-18', granularity: 'daily' as const }
    expect(spendPeriod(undefined, undefined, monthToDate)).toBe(monthToDate)
    expect(spendPeriod(20261030, 20261102, monthToDate)).toEqual({ start: '2026-10-30', end: '2026-11-03', granularity: 'daily' })
    expect(spendPeriod(20261105, undefined, monthToDate)).toEqual({ start: '2026-11-05', end: '2026-11-18', granularity: 'daily' })
  })

  it('lists the days of a period', () => {
    expect(periodDays({ start: '2026-10-30', end: '2026-11-02', granularity: 'daily' })).toEqual(['2026-10-30', '2026-10-31', '2026-11-01'])
  })
})
