import { describe, expect, it } from 'vitest'
import { billingQuery, costLines, queryRequest, tableName } from '../../providers/gcp/billing-export.js'
import { registryRepository, withBinding } from '../../providers/gcp/instance-identity.js'
import { alignmentSeconds, cpuRequest, requestRateRequest, samplesFrom } from '../../providers/gcp/metrics.js'

const window = { gcpProject: 'acme-prod', windowSeconds: 600, now: new Date('2026-11-29T12:00:00.000Z') }

describe('gcp metrics', () => {
  it('asks Monitoring for the group\'s mean CPU and the backend\'s request rate', () => {
    expect(cpuRequest(window, 'shop', 'users')).toEqual({
      path: '/v3/projects/acme-prod/timeSeries',
      params: {
        filter: 'metric.type = "compute.googleapis.com/instance/cpu/utilization" AND metadata.user_labels."strato-project" = "shop" AND metadata.user_labels."strato-service" = "users"',
        'interval.startTime': '2026-11-29T11:50:00.000Z', 'interval.endTime': '2026-11-29T12:00:00.000Z',
        'aggregation.alignmentPeriod': '60s', 'aggregation.perSeriesAligner': 'ALIGN_MEAN', 'aggregation.crossSeriesReducer': 'REDUCE_MEAN', view: 'FULL',
      },
    })
    expect(requestRateRequest(window, 'shop', 'users').params).toMatchObject({
      filter: 'metric.type = "loadbalancing.googleapis.com/https/request_count" AND resource.type = "https_lb_rule" AND resource.labels.backend_target_name = "strato-shop-users"',
      'aggregation.perSeriesAligner': 'ALIGN_RATE', 'aggregation.crossSeriesReducer': 'REDUCE_SUM',
    })
    expect(alignmentSeconds(7200)).toBe(300)
  })

  it('reads points oldest first, CPU in percent', () => {
    const answer = { timeSeries: [{ points: [
      { interval: { startTime: '2026-11-29T11:59:00Z' }, value: { doubleValue: 0.425 } },
      { interval: { startTime: '2026-11-29T11:58:00Z' }, value: { doubleValue: 0.3 } },
    ] }] }
    expect(samplesFrom(answer, 'cpu')).toEqual([
      { at: '2026-11-29T11:58:00Z', metric: 'cpu', value: 30 },
      { at: '2026-11-29T11:59:00Z', metric: 'cpu', value: 42.5 },
    ])
    expect(samplesFrom({ timeSeries: [{ points: [{ interval: { startTime: 't' }, value: { int64Value: '7' } }] }] }, 'requests')).toEqual([{ at: 't', metric: 'requests', value: 7 }])
    expect(samplesFrom({}, 'cpu')).toEqual([])
  })
})

describe('gcp billing export', () => {
  it('names the table, in the target\'s project unless the dataset says another', () => {
    expect(tableName({ dataset: 'billing', table: 'gcp_billing_export_v1_0123' }, 'acme-prod')).toBe('acme-prod.billing.gcp_billing_export_v1_0123')
    expect(tableName({ dataset: 'finance-prj.billing', table: 't' }, 'acme-prod')).toBe('finance-prj.billing.t')
  })

  it('sums cost and credits per period and service label, with named parameters', () => {
    const request = queryRequest('p.d.t', 'shop', { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z', granularity: 'monthly' })
    expect(request.query).toBe(billingQuery('p.d.t'))
    expect(request.query).toContain('FROM `p.d.t`')
    expect(request.queryParameters).toEqual([
      { name: 'start', parameterType: { type: 'STRING' }, parameterValue: { value: '2026-11-01' } },
      { name: 'end', parameterType: { type: 'STRING' }, parameterValue: { value: '2026-12-01' } },
      { name: 'project', parameterType: { type: 'STRING' }, parameterValue: { value: 'shop' } },
      { name: 'monthly', parameterType: { type: 'BOOL' }, parameterValue: { value: 'true' } },
    ])
    expect(costLines([{ f: [{ v: '2026-11-01' }, { v: 'users' }, { v: '12.5' }, { v: 'EUR' }] }, { f: [{ v: '2026-11-01' }, { v: null }, { v: '1' }, { v: 'EUR' }] }], 'gcp')).toEqual([
      { provider: 'gcp', target: 'gcp', service: 'users', date: '2026-11-01', amount: 12.5, currency: 'EUR', source: 'gcp billing export' },
      { provider: 'gcp', target: 'gcp', date: '2026-11-01', amount: 1, currency: 'EUR', source: 'gcp billing export' },
    ])
  })
})

describe('gcp instance identity', () => {
  it('adds a member to a role once, keeping the rest of the policy', () => {
    const policy = { etag: 'e1', bindings: [{ role: 'roles/owner', members: ['user:a@example.com'] }] }
    const once = withBinding(policy, 'roles/secretmanager.secretAccessor', 'serviceAccount:s@p.iam.gserviceaccount.com')!
    expect(once).toEqual({ etag: 'e1', bindings: [...policy.bindings, { role: 'roles/secretmanager.secretAccessor', members: ['serviceAccount:s@p.iam.gserviceaccount.com'] }] })
    expect(withBinding(once, 'roles/secretmanager.secretAccessor', 'serviceAccount:s@p.iam.gserviceaccount.com')).toBeUndefined()
  })

  it('finds the Artifact Registry repository of an image', () => {
    expect(registryRepository('europe-west1-docker.pkg.dev/acme-prod/shop/users:1.4.2')).toBe('projects/acme-prod/locations/europe-west1/repositories/shop')
    expect(registryRepository('ghcr.io/acme/users:1')).toBeUndefined()
  })
})
