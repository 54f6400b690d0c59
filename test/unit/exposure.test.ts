import { describe, expect, it } from 'vitest'
import { exposureOf, privateServices, publicServices } from '../../src/exposure.js'
import { checkManifest, formatProblem } from '../../src/manifest/load.js'
import type { Service } from '../../src/manifest/schema.js'
import { descriptorOf } from '../../providers/descriptors.js'

const problems = (text: string) => checkManifest(text, 'strato.yaml', descriptorOf).problems.map(formatProblem)

describe('which services the outside world reaches', () => {
  it('defaults to public with a port and a health path, private with a port only, none without a port', () => {
    const services: Record<string, Service> = {
      web: { image: 'w:1', port: 8080, health: '/healthz' },
      db: { image: 'postgres:16', port: 5432 },
      worker: { image: 'w:1' },
      hostnet: { image: 'w:1', port: 9000, health: '/', network: 'host' },
      internal: { image: 'w:1', port: 8081, health: '/healthz', expose: 'private' },
    }
    expect(Object.fromEntries(Object.entries(services).map(([name, spec]) => [name, exposureOf(spec)]))).toEqual({
      web: 'public', db: 'private', worker: 'none', hostnet: 'none', internal: 'private',
    })
    expect(publicServices(services)).toEqual(['web'])
    expect(privateServices(services)).toEqual(['db', 'internal'])
  })

  it('refuses an expose the balancers cannot honour, at the field', () => {
    const manifest = (service: string) => `name: shop\nservices:\n  db:\n${service}targets:\n  onprem: { provider: docker }\n`
    expect(problems(manifest('    image: postgres:16.4\n    port: 5432\n    expose: public\n')).join('\n')).toMatch(/services\.db\.expose.*needs a port and an HTTP health path/)
    expect(problems(manifest('    image: api:1\n    port: 8080\n    health: /\n    expose: private\n    route: { path: /api }\n')).join('\n')).toMatch(/services\.db\.route.*private service is on no balancer/)
    expect(problems(manifest('    image: api:1\n    expose: private\n')).join('\n')).toMatch(/services\.db\.expose.*add services\.db\.port/)
    expect(problems(manifest('    image: api:1\n    expose: hidden\n')).join('\n')).toMatch(/services\.db\.expose/)
    expect(problems(manifest('    image: api:1\n    port: 8080\n    health: /\n    expose: private\n'))).toEqual([])
  })
})
