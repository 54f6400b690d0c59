/**
 * nginx configuration for the load balancer that fronts a project's services:
 * one upstream per service whose balancing directive follows the manifest's
 * loadBalancer.algorithm, and one location per service path.
 */
import type { LbAlgorithm } from './options.js'

export interface UpstreamBackend {
  /** host:port as nginx resolves it, e.g. users:8080 */
  address: string
  weight?: number
}

export interface RoutedService {
  name: string
  /** the URL prefix routed to it, e.g. /users */
  path: string
  backends: UpstreamBackend[]
}

export interface NginxConfigInput {
  algorithm: LbAlgorithm
  /** for consistent-hash: the request header to hash, e.g. X-User-Id */
  hashHeader?: string
  listenPort: number
  services: RoutedService[]
}

/** The nginx variable holding a request header: X-User-Id -> $http_x_user_id. */
export function headerVariable(header: string): string {
  return `$http_${header.toLowerCase().replace(/-/g, '_')}`
}

/** The directive line that picks the balancing method, or none for nginx's default round robin. */
export function balancingDirective(algorithm: LbAlgorithm, hashHeader = 'X-User-Id'): string | undefined {
  switch (algorithm) {
    case 'round-robin':
    case 'weighted':
      // Weighted round robin is nginx's default method; the weights sit on the server lines.
      return undefined
    case 'least-conn':
      return 'least_conn;'
    case 'consistent-hash':
      return `hash ${headerVariable(hashHeader)} consistent;`
  }
}

export function renderNginxUpstream(service: RoutedService, algorithm: LbAlgorithm, hashHeader?: string): string {
  const lines = [`upstream ${service.name} {`]
  const directive = balancingDirective(algorithm, hashHeader)
  if (directive) lines.push(`    ${directive}`)
  for (const backend of service.backends) {
    const weight = algorithm === 'weighted' ? ` weight=${backend.weight ?? 1}` : ''
    lines.push(`    server ${backend.address}${weight} max_fails=3 fail_timeout=10s;`)
  }
  lines.push('    keepalive 16;', '}')
  return lines.join('\n')
}

function renderLocation(service: RoutedService): string {
  return [
    `        location ${service.path} {`,
    `            proxy_pass http://${service.name};`,
    '        }',
  ].join('\n')
}

/**
 * A complete nginx.conf that runs as an unprivileged user: it listens on a
 * high port and keeps its pid and temporary files under /tmp, so the container
 * needs no root and can have a read-only root filesystem.
 */
export function renderNginxConfig(input: NginxConfigInput): string {
  const upstreams = input.services.map((service) => renderNginxUpstream(service, input.algorithm, input.hashHeader))
  return `# Load balancer for the services, algorithm: ${input.algorithm}.${ALGORITHM_NOTES[input.algorithm]}
worker_processes auto;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;

events {
    worker_connections 1024;
}

http {
    client_body_temp_path /tmp/client_body;
    proxy_temp_path /tmp/proxy;
    fastcgi_temp_path /tmp/fastcgi;
    uwsgi_temp_path /tmp/uwsgi;
    scgi_temp_path /tmp/scgi;

    log_format json escape=json '{"time":"$time_iso8601","remote":"$remote_addr","method":"$request_method",'
        '"uri":"$request_uri","status":$status,"bytes":$body_bytes_sent,"duration":$request_time,'
        '"upstream":"$upstream_addr","upstreamDuration":"$upstream_response_time"}';
    access_log /dev/stdout json;

    server_tokens off;
    client_max_body_size 1m;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Request-Id $request_id;
    proxy_connect_timeout 2s;
    proxy_read_timeout 30s;
    proxy_next_upstream error timeout http_502 http_503;

${upstreams.map((block) => indent(block, 4)).join('\n\n')}

    server {
        listen ${input.listenPort};

        location = /healthz {
            access_log off;
            default_type application/json;
            return 200 '{"status":"ok"}';
        }

${input.services.map(renderLocation).join('\n\n')}
    }
}
`
}

const ALGORITHM_NOTES: Record<LbAlgorithm, string> = {
  'round-robin': '',
  'least-conn': '\n# Each request goes to the server with the fewest active connections.',
  weighted: '\n# Weighted round robin: each server line carries its share of traffic (weight=).',
  'consistent-hash': '\n# The same hash key reaches the same server while servers come and go (ketama).',
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces)
  return text.split('\n').map((line) => (line ? pad + line : line)).join('\n')
}
