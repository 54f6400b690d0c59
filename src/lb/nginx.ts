/**
 * Renders the nginx configuration of a project's balancer: one server block
 * per service, one upstream per service listing its healthy replicas. Pure:
 * the provider writes the text into the container and reloads nginx.
 */
import type { Manifest } from '../manifest/schema.js'

export type Algorithm = NonNullable<Manifest['loadBalancer']>['algorithm']
export type HashOn = { header: string } | { cookie: string }

export interface BalancedService {
  name: string
  /** port nginx listens on inside its container (also the published host port) */
  listen: number
  algorithm: Algorithm
  hashOn?: HashOn
  upstreams: { address: string; port: number; weight?: number }[]
}

/** nginx variable names allow letters, digits and underscores; header names use hyphens. */
function headerVariable(header: string): string {
  return `$http_${header.toLowerCase().replace(/[^a-z0-9]/g, '_')}`
}

function cookieVariable(cookie: string): string {
  return `$cookie_${cookie.replace(/[^A-Za-z0-9_]/g, '_')}`
}

function balancingDirective(service: BalancedService): string | undefined {
  switch (service.algorithm) {
    case 'least-conn':
      return 'least_conn;'
    case 'consistent-hash': {
      const on = service.hashOn ?? { header: 'X-Request-Id' }
      const variable = 'header' in on ? headerVariable(on.header) : cookieVariable(on.cookie)
      return `hash ${variable} consistent;`
    }
    default:
      // round-robin is nginx's default; weighted is round-robin with weight= on each server
      return undefined
  }
}

export function renderNginxUpstream(service: BalancedService): string {
  const lines = [`upstream strato_${service.name.replaceAll('-', '_')} {`]
  const directive = balancingDirective(service)
  if (directive) lines.push(`  ${directive}`)
  for (const upstream of service.upstreams) {
    const weight = service.algorithm === 'weighted' && upstream.weight && upstream.weight !== 1 ? ` weight=${upstream.weight}` : ''
    lines.push(`  server ${upstream.address}:${upstream.port}${weight} max_fails=1 fail_timeout=2s;`)
  }
  lines.push('  keepalive 16;')
  lines.push('}')
  return lines.join('\n')
}

function renderServer(service: BalancedService): string {
  const upstream = `strato_${service.name.replaceAll('-', '_')}`
  const lines = [
    'server {',
    `  listen ${service.listen};`,
    `  # service ${service.name}`,
    // A reload closes idle keep-alive connections, racing a client that reuses one at that
    // moment; one request per connection makes rollouts invisible even to clients that never retry.
    '  keepalive_timeout 0;',
  ]
  if (service.upstreams.length === 0) {
    lines.push('  location / { return 503 "no healthy replica\\n"; }')
  } else {
    lines.push(
      '  location / {',
      `    proxy_pass http://${upstream};`,
      '    proxy_http_version 1.1;',
      '    proxy_set_header Connection "";',
      '    proxy_set_header Host $host;',
      '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      // A replica that is stopping refuses connections: retry the request on the next one,
      // so rollouts and scale-in drop nothing.
      '    proxy_next_upstream error timeout http_502 http_503 non_idempotent;',
      '    proxy_next_upstream_tries 3;',
      // Upstreams are on the same host or network: a connect that takes a second is to an address that is gone.
      '    proxy_connect_timeout 1s;',
      '  }',
    )
  }
  lines.push('}')
  return lines.join('\n')
}

/** The whole conf.d file for one balancer. */
export function renderNginxConfig(services: BalancedService[]): string {
  const blocks: string[] = ['# Written by strato; replaced on every rollout.']
  for (const service of services) {
    if (service.upstreams.length > 0) blocks.push(renderNginxUpstream(service))
    blocks.push(renderServer(service))
  }
  return `${blocks.join('\n\n')}\n`
}
