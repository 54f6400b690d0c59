import { describe, expect, it } from 'vitest'
import { balancerName, fitName, NAME_LIMIT, secretId, serviceAccountId, serviceResourceName, templateName } from '../../providers/gcp/naming.js'

const GCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/

describe('gcp naming', () => {
  it('names a service strato-<project>-<service> and its templates by version', () => {
    expect(serviceResourceName('shop', 'users')).toBe('strato-shop-users')
    expect(templateName('shop', 'users', '3f9c2a1b4d5e')).toBe('strato-shop-users-3f9c2a1b4d5e')
    expect(balancerName('shop', 'gcp')).toBe('strato-shop-gcp-http')
    expect(secretId('shop', 'DB_PASSWORD')).toBe('strato-shop-DB_PASSWORD')
    expect(serviceAccountId('shop')).toBe('strato-shop')
  })

  it('stays within Compute Engine limits and keeps long names apart', () => {
    const project = 'a-very-long-project-name-that-goes-on'
    const names = ['payments-service-for-europe', 'payments-service-for-europe-2'].flatMap((service) => [
      serviceResourceName(project, service), templateName(project, service, '3f9c2a1b4d5e'), balancerName(project, service),
    ])
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(NAME_LIMIT)
      expect(name).toMatch(GCE_NAME)
    }
    expect(new Set(names).size).toBe(names.length)
    expect(templateName(project, 'payments-service-for-europe', '3f9c2a1b4d5e').endsWith('-3f9c2a1b4d5e')).toBe(true)
    expect(serviceAccountId(project)).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/)
    expect(fitName('strato-x', 10)).toBe('strato-x')
  })
})
