/**
 * Every docker command the provider runs, built here as an argument list by
 * a pure function: the other files only run them. Tests compare whole lists
 * (as Kamal's tests compare whole command strings), so a dropped or reordered
 * flag fails a test.
 */
import { sizeBytes } from '../../src/manifest/units.js'
import type { Service } from '../../src/manifest/schema.js'
import { labelArgs, names, projectFilter, projectLabels, ROLE } from './naming.js'

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

/** The balancer runs as this unprivileged user (nginx's in the official image); nginx needs no root on ports the engine lets it bind. */
export const BALANCER_USER = '101:101'
/** Its limits: nginx proxying a project's traffic needs a fraction of this. */
export const BALANCER_LIMITS = { memoryBytes: 128 * 1024 * 1024, cpus: 1 }
/** nginx's files live in a folder the unprivileged user owns: the main config, the services' config, pid and temporary files. */
export const BALANCER_DIR = '/tmp/strato-nginx'
export const BALANCER_MAIN_CONFIG = `${BALANCER_DIR}/nginx.conf`
export const BALANCER_CONFIG = `${BALANCER_DIR}/strato.conf`
export const BALANCER_PID = `${BALANCER_DIR}/nginx.pid`

/** nginx's own settings for the balancer: everything it writes is under BALANCER_DIR, so no root is needed. */
export function balancerMainConfig(): string {
  return [
    'worker_processes auto;',
    `pid ${BALANCER_PID};`,
    'error_log stderr warn;',
    'events { worker_connections 1024; }',
    'http {',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `    ${kind}_temp_path ${BALANCER_DIR}/${kind}_temp;`),
    '    access_log off;',
    '    server_tokens off;',
    `    include ${BALANCER_CONFIG};`,
    '}',
    '',
  ].join('\n')
}

/**
 * The balancer: nginx as an unprivileged user, with memory and CPU limits and no
 * capabilities. The configs travel in environment variables; the services' config
 * is written only if none is there yet, so a restart keeps the config of the last reload.
 */
export function balancerRunArgs(spec: BalancerSpec): string[] {
  const script = [
    `mkdir -p ${BALANCER_DIR}`,
    `printf %s "$STRATO_NGINX_MAIN" | base64 -d > ${BALANCER_MAIN_CONFIG}`,
    `[ -f ${BALANCER_CONFIG} ] || printf %s "$STRATO_NGINX_CONF" | base64 -d > ${BALANCER_CONFIG}`,
    `exec nginx -e stderr -c ${BALANCER_MAIN_CONFIG} -g "daemon off;"`,
  ].join('; ')
  const args = ['run', '--detach', '--name', names.balancer(spec.project), '--network', names.network(spec.project)]
  args.push(...labelArgs(projectLabels(spec.project, ROLE.balancer, { extra: { ports: spec.ports.join(','), publish: spec.publish } })))
  args.push('--restart', 'unless-stopped')
  args.push('--user', BALANCER_USER, '--memory', String(BALANCER_LIMITS.memoryBytes), '--cpus', String(BALANCER_LIMITS.cpus))
  args.push('--cap-drop', 'ALL', '--security-opt', 'no-new-privileges')
  for (const port of spec.ports) args.push('--publish', `${spec.publish}:${port}:${port}`)
  args.push('--env', `STRATO_NGINX_MAIN=${Buffer.from(balancerMainConfig()).toString('base64')}`)
  args.push('--env', `STRATO_NGINX_CONF=${Buffer.from(spec.config).toString('base64')}`)
  args.push(spec.image, 'sh', '-c', script)
  return args
}

/** Writes the services' config from stdin, checks it and reloads nginx gracefully; a config nginx rejects is put back. */
export function balancerReloadArgs(container: string): string[] {
  const nginx = `nginx -e stderr -c ${BALANCER_MAIN_CONFIG}`
  const script = `cp ${BALANCER_CONFIG} ${BALANCER_CONFIG}.prev; cat > ${BALANCER_CONFIG}; if ${nginx} -t -q; then ${nginx} -s reload; else mv ${BALANCER_CONFIG}.prev ${BALANCER_CONFIG}; exit 1; fi`
  return ['exec', '--interactive', container, 'sh', '-c', script]
}

export function balancerReadyArgs(container: string): string[] {
  return ['exec', container, 'test', '-f', BALANCER_PID]
}

/* Swarm services */

export function swarmServiceName(project: string, service: string): string {
  return `strato-${project}-${service}`
}

function runtimeArgs(spec: SwarmSpec, update: boolean): string[] {
  const { config } = spec
  const args: string[] = []
  const labels = replicaLabels(spec)
  for (const [key, value] of Object.entries(labels)) args.push(update ? '--label-add' : '--label', `${key}=${value}`, update ? '--container-label-add' : '--container-label', `${key}=${value}`)
  if (config.resources?.cpu) args.push('--limit-cpu', String(config.resources.cpu))
  if (config.resources?.memory) args.push('--limit-memory', String(sizeBytes(config.resources.memory)))
  if (config.port) {
    args.push('--health-cmd', config.health ? healthCommand(config.port, config.health) : tcpHealthCommand(config.port), '--health-interval', '1s', '--health-timeout', '3s', '--health-retries', '3')
  }
  const env: Record<string, string> = {}
  if (config.port) env.PORT = String(config.port)
  for (const [key, value] of Object.entries(config.env ?? {})) env[key] = String(value)
  for (const [key, value] of Object.entries(env)) args.push(update ? '--env-add' : '--env', `${key}=${value}`)
  // Swarm has no "copy from the client's environment": secret values go in as NAME=value
  // arguments of this one call and are never printed or logged.
  for (const secret of config.secrets ?? []) if (spec.secrets[secret] !== undefined) args.push(update ? '--env-add' : '--env', `${secret}=${spec.secrets[secret]}`)
  return args
}

export interface SwarmSpec extends ReplicaSpec {
  replicas: number
  secrets: Record<string, string | undefined>
}

export function swarmCreateArgs(spec: SwarmSpec): string[] {
  const args = ['service', 'create', '--detach', '--name', swarmServiceName(spec.project, spec.service), '--replicas', String(spec.replicas)]
  // DNS round robin rather than a virtual IP: the IPVS load balancing behind VIPs (like the
  // ingress mesh) is not available on every host; nginx resolves the task addresses itself.
  args.push('--network', names.network(spec.project), '--endpoint-mode', 'dnsrr')
  // A service that owns volumes (a database) must not run two copies on one data folder.
  const order = spec.config.volumes?.length ? 'stop-first' : 'start-first'
  args.push('--update-order', order, '--update-parallelism', '1', '--update-failure-action', 'rollback', '--update-monitor', '3s')
  args.push('--rollback-order', 'start-first', '--restart-condition', 'any', '--restart-max-attempts', '5')
  args.push(...runtimeArgs(spec, false))
  for (const volume of spec.config.volumes ?? []) {
    const [name, ...target] = volume.split(':')
    args.push('--mount', `type=volume,source=${names.volume(spec.project, name)},destination=${target.join(':')}`)
  }
  if (spec.config.user) args.push('--user', spec.config.user)
  args.push(spec.image, ...(spec.config.command ?? []))
  return args
}

export function swarmUpdateArgs(spec: SwarmSpec): string[] {
  return ['service', 'update', '--detach', '--image', spec.image, '--replicas', String(spec.replicas), ...runtimeArgs(spec, true), swarmServiceName(spec.project, spec.service)]
}

/** The simple commands, by resource. */
export const dockerArgv = {
  serverVersion: () => ['version', '--format', '{{.Server.Version}}'],
  swarmState: () => ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'],

  listContainers: (project: string, options: { all?: boolean; fullIds?: boolean; filters?: string[] } = {}) => [
    'ps', ...(options.all ? ['--all'] : []), '--quiet', ...(options.fullIds ? ['--no-trunc'] : []), ...projectFilter(project), ...(options.filters ?? []).flatMap((filter) => ['--filter', filter]),
  ],
  inspectContainers: (...ids: string[]) => ['inspect', '--type', 'container', ...ids],
  stopContainer: (id: string, graceSeconds: number) => ['stop', '--time', String(graceSeconds), id],
  removeContainers: (ids: string[], options: { volumes?: boolean } = {}) => ['rm', '--force', ...(options.volumes ? ['--volumes'] : []), ...ids],
  containerLogs: (id: string, tail: number, follow = false) => ['logs', ...(follow ? ['--follow'] : []), '--tail', String(tail), id],
  execShell: (id: string, script: string) => ['exec', id, 'sh', '-c', script],
  stats: (ids: string[]) => ['stats', '--no-stream', '--format', '{{json .}}', ...ids],
  /** A stopped container that only carries labels: locks and release records. */
  createMarker: (name: string, labels: Record<string, string>, image: string) => ['create', '--name', name, ...labelArgs(labels), image, 'true'],

  inspectNetwork: (name: string, format: string) => ['network', 'inspect', '--format', format, name],
  createNetwork: (project: string, name: string, driver?: 'overlay') => ['network', 'create', ...(driver ? ['--driver', driver, '--attachable'] : []), ...labelArgs(projectLabels(project, ROLE.network)), name],
  inspectVolume: (name: string, format: string) => ['volume', 'inspect', '--format', format, name],
  createVolume: (project: string, name: string) => ['volume', 'create', ...labelArgs(projectLabels(project, ROLE.volume)), name],
  listLabelled: (kind: 'network' | 'image' | 'volume', project: string, fullIds = false) => [kind, 'ls', '--quiet', ...(fullIds ? ['--no-trunc'] : []), ...projectFilter(project)],
  removeNetworks: (ids: string[]) => ['network', 'rm', ...ids],
  removeImages: (ids: string[]) => ['image', 'rm', '--force', ...ids],
  removeVolumes: (ids: string[]) => ['volume', 'rm', '--force', ...ids],

  imageId: (reference: string) => ['image', 'inspect', '--format', '{{.Id}}', reference],
  pull: (reference: string) => ['pull', '--quiet', reference],
  build: (spec: { tag: string; dockerfile: string; labels: Record<string, string>; buildArgs: Record<string, string>; context: string }) => [
    'build', '--quiet', '--tag', spec.tag, '--file', spec.dockerfile, ...labelArgs(spec.labels),
    ...Object.entries(spec.buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]), spec.context,
  ],

  listServices: (project: string) => ['service', 'ls', '--quiet', ...projectFilter(project)],
  inspectServices: (...ids: string[]) => ['service', 'inspect', ...ids],
  serviceLogs: (name: string, tail: number) => ['service', 'logs', '--tail', String(tail), '--no-task-ids', name],
  removeServices: (...ids: string[]) => ['service', 'rm', ...ids],
}
