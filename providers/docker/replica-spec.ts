/**
 * Pure builders of `docker run` argument lists for a service's replicas and
 * for the balancer, so tests assert the exact command (as Kamal does).
 */
import { sizeBytes } from '../../src/manifest/units.js'
import type { Service } from '../../src/manifest/schema.js'
import { labelArgs, names, projectLabels, ROLE } from './naming.js'

export interface ReplicaSpec {
  project: string
  service: string
  version: string
  image: string
  config: Service
  deployedBy: string
  deployedAt: string
  /** random suffix that makes the container name unique */
  suffix: string
}

/**
 * A health check that works in any image: it uses whichever HTTP client the
 * image has (curl, wget, node, python3), since strato cannot know what a
 * service's image ships. It runs inside the container, under /bin/sh.
 */
export function healthCommand(port: number, path: string): string {
  const url = `http://127.0.0.1:${port}${path}`
  const node = `require("http").get("${url}",r=>process.exit(r.statusCode<400?0:1)).on("error",()=>process.exit(1))`
  const python = `import urllib.request;urllib.request.urlopen("${url}",timeout=2)`
  // perl-base ships in every Debian-based image and starts in a few ms, where node takes ~50 ms of CPU.
  const perl = `$s=IO::Socket::INET->new(PeerAddr=>"127.0.0.1:${port}",Timeout=>2) or exit 1; print $s "GET ${path} HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n"; $l=<$s>; exit($l=~m{^HTTP/\\S+ [23]\\d\\d} ? 0 : 1)`
  return [
    `if command -v curl >/dev/null 2>&1; then curl -fsS -o /dev/null --max-time 2 ${url};`,
    `elif command -v wget >/dev/null 2>&1; then wget -q -O /dev/null -T 2 ${url};`,
    `elif command -v perl >/dev/null 2>&1; then perl -MIO::Socket::INET -e '${perl}';`,
    `elif command -v node >/dev/null 2>&1; then node -e '${node}';`,
    `else python3 -c '${python}'; fi`,
  ].join(' ')
}

/** For a port without an HTTP health path (a database): ready once the port accepts connections. */
export function tcpHealthCommand(port: number): string {
  return [
    `if command -v bash >/dev/null 2>&1; then bash -c '</dev/tcp/127.0.0.1/${port}';`,
    `elif command -v nc >/dev/null 2>&1; then nc -z 127.0.0.1 ${port};`,
    `else node -e 'require("net").connect(${port},"127.0.0.1").on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))'; fi`,
  ].join(' ')
}

export function replicaLabels(spec: ReplicaSpec): Record<string, string> {
  return projectLabels(spec.project, ROLE.replica, {
    service: spec.service,
    version: spec.version,
    deployedBy: spec.deployedBy,
    deployedAt: spec.deployedAt,
    extra: { image: spec.image },
  })
}

export function replicaRunArgs(spec: ReplicaSpec): string[] {
  const { config } = spec
  const args = ['run', '--detach', '--name', names.replica(spec.project, spec.service, spec.version, spec.suffix)]
  args.push(...labelArgs(replicaLabels(spec)))
  if (config.network === 'host') args.push('--network', 'host')
  else args.push('--network', names.network(spec.project), '--network-alias', spec.service)
  args.push('--restart', config.restart === 'on-failure' ? 'on-failure:5' : (config.restart ?? 'unless-stopped'))
  if (config.resources?.cpu) args.push('--cpus', String(config.resources.cpu))
  if (config.resources?.memory) args.push('--memory', String(sizeBytes(config.resources.memory)))
  if (config.port && config.network !== 'host') {
    args.push(
      '--health-cmd', config.health ? healthCommand(config.port, config.health) : tcpHealthCommand(config.port),
      '--health-interval', '1s', '--health-timeout', '3s', '--health-retries', '3', '--health-start-period', '0s',
    )
  }
  if (config.user) args.push('--user', config.user)
  if (config.privileged) args.push('--privileged')
  const env: Record<string, string> = {}
  if (config.port) env.PORT = String(config.port)
  for (const [key, value] of Object.entries(config.env ?? {})) env[key] = String(value)
  for (const [key, value] of Object.entries(env)) args.push('--env', `${key}=${value}`)
  // Secrets: a bare NAME makes the docker client copy the value from its own environment,
  // so the value never appears in an argument list or a log.
  for (const secret of config.secrets ?? []) args.push('--env', secret)
  for (const volume of config.volumes ?? []) {
    const [name, ...target] = volume.split(':')
    args.push('--volume', `${names.volume(spec.project, name)}:${target.join(':')}`)
  }
  args.push(spec.image, ...(config.command ?? []))
  return args
}

export interface BalancerSpec {
  project: string
  image: string
  publish: string
  ports: number[]
  /** the first configuration, written before nginx starts */
  config: string
}

/**
 * The balancer: nginx with the project's config in conf.d. The first config
 * travels in an environment variable and is written only if none is there
 * yet, so a restart of the container keeps the config of the last reload.
 */
export function balancerRunArgs(spec: BalancerSpec): string[] {
  const script = [
    'rm -f /etc/nginx/sites-enabled/default',
    '[ -f /etc/nginx/conf.d/strato.conf ] || printf %s "$STRATO_NGINX_CONF" | base64 -d > /etc/nginx/conf.d/strato.conf',
    'exec nginx -g "daemon off;"',
  ].join('; ')
  const args = ['run', '--detach', '--name', names.balancer(spec.project), '--network', names.network(spec.project)]
  args.push(...labelArgs(projectLabels(spec.project, ROLE.balancer, { extra: { ports: spec.ports.join(','), publish: spec.publish } })))
  args.push('--restart', 'unless-stopped')
  for (const port of spec.ports) args.push('--publish', `${spec.publish}:${port}:${port}`)
  args.push('--env', `STRATO_NGINX_CONF=${Buffer.from(spec.config).toString('base64')}`)
  args.push(spec.image, 'sh', '-c', script)
  return args
}
