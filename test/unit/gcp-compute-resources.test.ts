import { describe, expect, it } from 'vitest'
import { differs } from '../../providers/gcp/compute-resources.js'

describe('gcp resource comparison', () => {
  it('compares only what strato sets, links by what they point at', () => {
    const actual = {
      name: 'hc', kind: 'compute#healthCheck', checkIntervalSec: 10, httpHealthCheck: { port: 8080, requestPath: '/healthz', proxyHeader: 'NONE' },
      healthChecks: ['https://www.googleapis.com/compute/v1/projects/p/global/healthChecks/hc'],
      distributionPolicy: { zones: [{ zone: 'https://www.googleapis.com/compute/v1/projects/p/zones/europe-west1-b' }] }, diskSizeGb: '20',
    }
    expect(differs({ name: 'hc', httpHealthCheck: { port: 8080, requestPath: '/healthz' } }, actual)).toBe(false)
    expect(differs({ httpHealthCheck: { requestPath: '/health' } }, actual)).toBe(true)
    expect(differs({ healthChecks: ['global/healthChecks/hc'] }, actual)).toBe(false)
    expect(differs({ healthChecks: ['global/healthChecks/other'] }, actual)).toBe(true)
    expect(differs({ distributionPolicy: { zones: [{ zone: 'zones/europe-west1-b' }] } }, actual)).toBe(false)
    expect(differs({ diskSizeGb: 20 }, actual)).toBe(false)
    expect(differs({ healthChecks: ['global/healthChecks/hc', 'global/healthChecks/two'] }, actual)).toBe(true)
    expect(differs({ missing: 'x' }, actual)).toBe(true)
  })
})
