import { describe, expect, it } from 'vitest'
import { renderNginxConfig, renderNginxUpstream, type BalancedService } from '../../src/lb/nginx.js'

const upstreams = [{ address: 'a', port: 8080 }, { address: 'b', port: 8080, weight: 3 }]
const service = (algorithm: BalancedService['algorithm'], extra: Partial<BalancedService> = {}): BalancedService => ({ name: 'users-api', listen: 8081, algorithm, upstreams, ...extra })

describe('nginx rendering', () => {
  it('renders round-robin as nginx default', () => {
    expect(renderNginxUpstream(service('round-robin'))).toBe([
      'upstream strato_users_api {',
      '  server a:8080 max_fails=1 fail_timeout=2s;',
      '  server b:8080 max_fails=1 fail_timeout=2s;',
      '  keepalive 16;',
      '}',
    ].join('\n'))
  })

  it('renders least-conn, weighted and consistent hashing', () => {
    expect(renderNginxUpstream(service('least-conn'))).toContain('  least_conn;\n')
    expect(renderNginxUpstream(service('weighted'))).toContain('server b:8080 weight=3 ')
    expect(renderNginxUpstream(service('consistent-hash', { hashOn: { header: 'X-User-Id' } }))).toContain('  hash $http_x_user_id consistent;\n')
    expect(renderNginxUpstream(service('consistent-hash', { hashOn: { cookie: 'session' } }))).toContain('  hash $cookie_session consistent;\n')
  })

  it('retries on the next replica so draining drops nothing, and answers 503 with no replica', () => {
    const config = renderNginxConfig([service('round-robin'), service('round-robin', { name: 'empty', listen: 8082, upstreams: [] })])
    expect(config).toContain('proxy_next_upstream error timeout http_502 http_503 non_idempotent;')
    expect(config).toContain('listen 8081;')
    expect(config).not.toContain('upstream strato_empty')
    expect(config).toContain('return 503')
  })
})
