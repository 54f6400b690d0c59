import { describe, expect, it } from 'vitest'
import { balancingDirective, headerVariable, renderNginxConfig, renderNginxUpstream, type RoutedService } from '../../src/scaffold/nginx.js'

const users: RoutedService = {
  name: 'users',
  path: '/users',
  backends: [{ address: 'users-1:8080', weight: 3 }, { address: 'users-2:8080' }],
}

describe('renderNginxUpstream', () => {
  it('round robin is nginx default: no directive, no weights', () => {
    expect(renderNginxUpstream(users, 'round-robin')).toBe([
      'upstream users {',
      '    server users-1:8080 max_fails=3 fail_timeout=10s;',
      '    server users-2:8080 max_fails=3 fail_timeout=10s;',
      '    keepalive 16;',
      '}',
    ].join('\n'))
  })

  it('least-conn adds least_conn', () => {
    expect(renderNginxUpstream(users, 'least-conn').split('\n')[1]).toBe('    least_conn;')
  })

  it('weighted puts each backend weight on its server line (1 when unset)', () => {
    const lines = renderNginxUpstream(users, 'weighted').split('\n')
    expect(lines[1]).toBe('    server users-1:8080 weight=3 max_fails=3 fail_timeout=10s;')
    expect(lines[2]).toBe('    server users-2:8080 weight=1 max_fails=3 fail_timeout=10s;')
  })

  it('consistent-hash hashes the header with ketama consistency', () => {
    expect(renderNginxUpstream(users, 'consistent-hash', 'X-User-Id').split('\n')[1]).toBe('    hash $http_x_user_id consistent;')
    expect(balancingDirective('consistent-hash', 'X-Tenant')).toBe('hash $http_x_tenant consistent;')
    expect(headerVariable('X-Request-ID')).toBe('$http_x_request_id')
  })
})

describe('renderNginxConfig', () => {
  it('runs unprivileged, logs JSON, and routes each service path to its upstream', () => {
    const config = renderNginxConfig({ algorithm: 'least-conn', listenPort: 8080, services: [users, { name: 'orders', path: '/orders', backends: [{ address: 'orders:8080' }] }] })
    expect(config).toContain('pid /tmp/nginx.pid;')
    expect(config).toContain('listen 8080;')
    expect(config).toContain('log_format json escape=json')
    expect(config).toContain('        location /orders {\n            proxy_pass http://orders;\n        }')
    expect(config.match(/least_conn;/g)).toHaveLength(2)
    expect(config).not.toMatch(/^\s*user /m)
  })
})
