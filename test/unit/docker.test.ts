import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { DockerHost, isRead } from '../../providers/docker/engine.js'
import { classifyDockerError, isTransientDockerError } from '../../providers/docker/errors.js'
import { imageMapFrom, mapImage, mappedBuildArgs, parseImageMap } from '../../providers/image-map.js'
import { pickRelease } from '../../providers/docker/index.js'
import { balancerMainConfig, balancerReloadArgs, balancerRunArgs, dockerArgv, healthCommand, replicaRunArgs, swarmCreateArgs, swarmUpdateArgs, tcpHealthCommand } from '../../providers/docker/argv.js'
import type { ReleaseRecord } from '../../providers/provider.js'

const LABELS = (extra: string[]) => extra.flatMap((label) => ['--label', label])

describe('docker run arguments', () => {
  it('labels, limits, health-checks and attaches a replica', () => {
    const args = replicaRunArgs({
      project: 'shop', service: 'users', version: 'abc123', image: 'strato-shop-users:abc123', suffix: 'f00', deployedBy: 'ci@runner', deployedAt: '2026-01-01T00:00:00.000Z',
      config: { build: './users', port: 8080, health: '/healthz', resources: { cpu: 0.5, memory: '256Mi' }, env: { LOG_LEVEL: 'info' }, secrets: ['DB_PASSWORD'], volumes: ['data:/var/data'] },
    })
    expect(args).toEqual([
      'run', '--detach', '--name', 'strato-shop-users-abc123-f00',
      ...LABELS(['strato.project=shop', 'strato.service=users', 'strato.version=abc123', 'strato.role=replica', 'strato.deployed-by=ci@runner', 'strato.deployed-at=2026-01-01T00:00:00.000Z', 'strato.image=strato-shop-users:abc123']),
      '--network', 'strato-shop', '--network-alias', 'users', '--restart', 'unless-stopped',
      '--cpus', '0.5', '--memory', String(256 * 1024 * 1024),
      '--health-cmd', healthCommand(8080, '/healthz'), '--health-interval', '1s', '--health-timeout', '3s', '--health-retries', '3', '--health-start-period', '0s',
      '--env', 'PORT=8080', '--env', 'LOG_LEVEL=info', '--env', 'DB_PASSWORD',
      '--volume', 'strato-shop-data:/var/data',
      'strato-shop-users:abc123',
    ])
  })

  it('never puts a secret value in the arguments', () => {
    const args = replicaRunArgs({ project: 'p', service: 's', version: 'v', image: 'i', suffix: 'x', deployedBy: 'b', deployedAt: 'a', config: { image: 'i', secrets: ['TOKEN'] } })
    expect(args).toEqual([
      'run', '--detach', '--name', 'strato-p-s-v-x',
      ...LABELS(['strato.project=p', 'strato.service=s', 'strato.version=v', 'strato.role=replica', 'strato.deployed-by=b', 'strato.deployed-at=a', 'strato.image=i']),
      '--network', 'strato-p', '--network-alias', 's', '--restart', 'unless-stopped', '--env', 'TOKEN', 'i',
    ])
  })

  it('health command falls back over curl, wget, node and python', () => {
    const command = healthCommand(3000, '/ready')
    for (const tool of ['curl', 'wget', 'perl -MIO::Socket::INET', 'node -e', 'python3 -c']) expect(command).toContain(tool)
  })

  it('runs the balancer as an unprivileged user with memory and CPU limits, publishing on the publish address', () => {
    const args = balancerRunArgs({ project: 'shop', image: 'local/nginx:1', publish: '127.0.0.1', ports: [8080, 8081], config: 'x' })
    expect(args).toEqual([
      'run', '--detach', '--name', 'strato-shop-lb', '--network', 'strato-shop',
      ...LABELS(['strato.project=shop', 'strato.role=balancer', 'strato.ports=8080,8081', 'strato.publish=127.0.0.1']),
      '--restart', 'unless-stopped', '--user', '101:101', '--memory', String(128 * 1024 * 1024), '--cpus', '1',
      '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
      '--publish', '127.0.0.1:8080:8080', '--publish', '127.0.0.1:8081:8081',
      '--env', `STRATO_NGINX_MAIN=${Buffer.from(balancerMainConfig()).toString('base64')}`,
      '--env', `STRATO_NGINX_CONF=${Buffer.from('x').toString('base64')}`,
      'local/nginx:1', 'sh', '-c',
      'mkdir -p /tmp/strato-nginx; printf %s "$STRATO_NGINX_MAIN" | base64 -d > /tmp/strato-nginx/nginx.conf; '
        + '[ -f /tmp/strato-nginx/strato.conf ] || printf %s "$STRATO_NGINX_CONF" | base64 -d > /tmp/strato-nginx/strato.conf; '
        + 'exec nginx -e stderr -c /tmp/strato-nginx/nginx.conf -g "daemon off;"',
    ])
    expect(balancerMainConfig()).toContain('pid /tmp/strato-nginx/nginx.pid;')
    expect(balancerMainConfig()).toContain('include /tmp/strato-nginx/strato.conf;')
    expect(balancerReloadArgs('strato-shop-lb')).toEqual(['exec', '--interactive', 'strato-shop-lb', 'sh', '-c',
      'cp /tmp/strato-nginx/strato.conf /tmp/strato-nginx/strato.conf.prev; cat > /tmp/strato-nginx/strato.conf; '
        + 'if nginx -e stderr -c /tmp/strato-nginx/nginx.conf -t -q; then nginx -e stderr -c /tmp/strato-nginx/nginx.conf -s reload; '
        + 'else mv /tmp/strato-nginx/strato.conf.prev /tmp/strato-nginx/strato.conf; exit 1; fi'])
  })
})

describe('every other docker command', () => {
  it.each([
    ['serverVersion', dockerArgv.serverVersion(), ['version', '--format', '{{.Server.Version}}']],
    ['swarmState', dockerArgv.swarmState(), ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}']],
    ['listContainers', dockerArgv.listContainers('shop'), ['ps', '--quiet', '--filter', 'label=strato.project=shop']],
    ['listContainers all, full ids', dockerArgv.listContainers('shop', { all: true, fullIds: true }), ['ps', '--all', '--quiet', '--no-trunc', '--filter', 'label=strato.project=shop']],
    ['listContainers filtered', dockerArgv.listContainers('shop', { filters: ['label=strato.service=web', 'health=healthy'] }), ['ps', '--quiet', '--filter', 'label=strato.project=shop', '--filter', 'label=strato.service=web', '--filter', 'health=healthy']],
    ['inspectContainers', dockerArgv.inspectContainers('a', 'b'), ['inspect', '--type', 'container', 'a', 'b']],
    ['stopContainer', dockerArgv.stopContainer('a', 10), ['stop', '--time', '10', 'a']],
    ['removeContainers', dockerArgv.removeContainers(['a', 'b']), ['rm', '--force', 'a', 'b']],
    ['removeContainers with volumes', dockerArgv.removeContainers(['a'], { volumes: true }), ['rm', '--force', '--volumes', 'a']],
    ['containerLogs', dockerArgv.containerLogs('a', 50), ['logs', '--tail', '50', 'a']],
    ['containerLogs following', dockerArgv.containerLogs('a', 5, true), ['logs', '--follow', '--tail', '5', 'a']],
    ['execShell', dockerArgv.execShell('a', 'true'), ['exec', 'a', 'sh', '-c', 'true']],
    ['stats', dockerArgv.stats(['a', 'b']), ['stats', '--no-stream', '--format', '{{json .}}', 'a', 'b']],
    ['createMarker', dockerArgv.createMarker('lock', { 'strato.project': 'shop' }, 'img'), ['create', '--name', 'lock', '--label', 'strato.project=shop', 'img', 'true']],
    ['inspectNetwork', dockerArgv.inspectNetwork('n', '{{.Driver}}'), ['network', 'inspect', '--format', '{{.Driver}}', 'n']],
    ['createNetwork', dockerArgv.createNetwork('shop', 'strato-shop'), ['network', 'create', '--label', 'strato.project=shop', '--label', 'strato.role=network', 'strato-shop']],
    ['createNetwork overlay', dockerArgv.createNetwork('shop', 'strato-shop', 'overlay'), ['network', 'create', '--driver', 'overlay', '--attachable', '--label', 'strato.project=shop', '--label', 'strato.role=network', 'strato-shop']],
    ['inspectVolume', dockerArgv.inspectVolume('v', '{{.Name}}'), ['volume', 'inspect', '--format', '{{.Name}}', 'v']],
    ['createVolume', dockerArgv.createVolume('shop', 'v'), ['volume', 'create', '--label', 'strato.project=shop', '--label', 'strato.role=volume', 'v']],
    ['listLabelled images', dockerArgv.listLabelled('image', 'shop', true), ['image', 'ls', '--quiet', '--no-trunc', '--filter', 'label=strato.project=shop']],
    ['listLabelled networks', dockerArgv.listLabelled('network', 'shop'), ['network', 'ls', '--quiet', '--filter', 'label=strato.project=shop']],
    ['removeNetworks', dockerArgv.removeNetworks(['n']), ['network', 'rm', 'n']],
    ['removeImages', dockerArgv.removeImages(['i']), ['image', 'rm', '--force', 'i']],
    ['removeVolumes', dockerArgv.removeVolumes(['v']), ['volume', 'rm', '--force', 'v']],
    ['imageId', dockerArgv.imageId('node:24'), ['image', 'inspect', '--format', '{{.Id}}', 'node:24']],
    ['pull', dockerArgv.pull('node:24'), ['pull', '--quiet', 'node:24']],
    ['build', dockerArgv.build({ tag: 't:1', dockerfile: '/p/Dockerfile', labels: { 'strato.project': 'p' }, buildArgs: { BASE_IMAGE: 'local/node:24' }, context: '/p' }),
      ['build', '--quiet', '--tag', 't:1', '--file', '/p/Dockerfile', '--label', 'strato.project=p', '--build-arg', 'BASE_IMAGE=local/node:24', '/p']],
    ['listServices', dockerArgv.listServices('shop'), ['service', 'ls', '--quiet', '--filter', 'label=strato.project=shop']],
    ['inspectServices', dockerArgv.inspectServices('a'), ['service', 'inspect', 'a']],
    ['serviceLogs', dockerArgv.serviceLogs('a', 20), ['service', 'logs', '--tail', '20', '--no-task-ids', 'a']],
    ['removeServices', dockerArgv.removeServices('a', 'b'), ['service', 'rm', 'a', 'b']],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toEqual(expected)
  })
})

describe('image map', () => {
  it('parses inline lists and YAML files', () => {
    expect(parseImageMap('postgres:16.4-bookworm=local/postgres:15,node=local/node:24', 'inline')).toEqual({ 'postgres:16.4-bookworm': 'local/postgres:15', node: 'local/node:24' })
    expect(parseImageMap('nginx:1.27-bookworm: local/nginx:1\n', 'f.yaml')).toEqual({ 'nginx:1.27-bookworm': 'local/nginx:1' })
    expect(() => parseImageMap('- a\n- b', 'f.yaml')).toThrow(UserError)
    expect(imageMapFrom(undefined)).toEqual({})
    expect(imageMapFrom('c=d')).toEqual({ c: 'd' })
    expect(() => imageMapFrom('/nonexistent/map.yaml')).toThrow('cannot be read')
  })

  it('maps exact references first, then whole repositories', () => {
    const map = { 'node:24.11.1-bookworm-slim': 'local/node:24', python: 'local/python:3' }
    expect(mapImage(map, 'node:24.11.1-bookworm-slim')).toBe('local/node:24')
    expect(mapImage(map, 'python:3.12-slim')).toBe('local/python:3')
    expect(mapImage(map, 'docker.io/library/python:3.12')).toBe('local/python:3')
    expect(mapImage(map, 'node:22')).toBe('node:22')
  })

  it('rewrites Dockerfile ARG defaults that name mapped images', () => {
    const dockerfile = 'ARG BASE_IMAGE=node:24.11.1-bookworm-slim\nARG OTHER=keep\nFROM ${BASE_IMAGE}\n'
    expect(mappedBuildArgs(dockerfile, { 'node:24.11.1-bookworm-slim': 'local/node:24' })).toEqual({ BASE_IMAGE: 'local/node:24' })
  })
})

describe('engine errors and hosts', () => {
  it('sorts daemon failures into exit-code families', () => {
    expect(classifyDockerError('unix:///var/run/docker.sock', 'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock')?.exitCode).toBe(5)
    expect(classifyDockerError('unix:///tmp/x.sock', 'Cannot connect to the Docker daemon at unix:///tmp/x.sock. Is the docker daemon running?')?.exitCode).toBe(4)
    expect(classifyDockerError('ssh://ops@db1', 'error during connect: ssh: Could not resolve hostname db1')?.exitCode).toBe(4)
    expect(classifyDockerError('unix:///x', 'No such image: foo')).toBeUndefined()
    // an authorization plugin or a TLS daemon saying no is about the credentials: exit 5
    expect(classifyDockerError('tcp://db1:2376', 'Error response from daemon: authorization denied by plugin opa-docker-authz: request rejected')?.options.code).toBe('denied')
    expect(classifyDockerError('tcp://db1:2376', 'error during connect: Get "https://db1:2376/v1.41/info": remote error: tls: bad certificate')?.options.code).toBe('denied')
  })

  it('retries only reads, and only when the connection failed', () => {
    expect(isTransientDockerError('error during connect: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.41/containers/json": EOF')).toBe(true)
    expect(isTransientDockerError('read unix @->/var/run/docker.sock: read: connection reset by peer')).toBe(true)
    expect(isTransientDockerError('Cannot connect to the Docker daemon at unix:///tmp/x.sock. Is the docker daemon running?')).toBe(false)
    expect(isTransientDockerError('Error response from daemon: No such container: x')).toBe(false)
    expect(isRead(['ps', '--all'])).toBe(true)
    expect(isRead(['network', 'inspect', 'x'])).toBe(true)
    expect(isRead(['logs', '--follow', 'x'])).toBe(false)
    expect(isRead(['run', '--detach', 'x'])).toBe(false)
    expect(isRead(['network', 'create', 'x'])).toBe(false)
  })

  it('points the client at the host with TLS flags for tcp', () => {
    const host = new DockerHost('tcp://db1:2376', { ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' }, {})
    expect(host.globalArgs()).toEqual(['--host', 'tcp://db1:2376', '--tlsverify', '--tlscacert', 'ca.pem', '--tlscert', 'cert.pem', '--tlskey', 'key.pem'])
  })
})

describe('choosing a release to roll back to', () => {
  const release = (number: number, version: string): ReleaseRecord => ({ number, at: '', by: '', kind: 'deploy', services: { web: { version, image: `i:${version}`, replicas: 2 } } })
  const history = [release(1, 'aaa111'), release(2, 'bbb222'), release(3, 'ccc333')]

  it('defaults to the previous release, takes numbers and versions', () => {
    expect(pickRelease(history, undefined).number).toBe(2)
    expect(pickRelease(history, 'r1').number).toBe(1)
    expect(pickRelease(history, '3').number).toBe(3)
    expect(pickRelease(history, 'aaa1').number).toBe(1)
  })

  it('explains when there is nothing to return to', () => {
    expect(() => pickRelease([], undefined)).toThrow('No releases')
    expect(() => pickRelease([release(1, 'a')], undefined)).toThrow('no earlier release')
    expect(() => pickRelease(history, 'zzz')).toThrow('No release "zzz"')
  })
})

describe('health checks for services without an HTTP path', () => {
  it('checks that the port accepts connections', async () => {
    const args = replicaRunArgs({ project: 'p', service: 'db', version: 'v', image: 'i', suffix: 'x', deployedBy: 'b', deployedAt: 'a', config: { image: 'postgres:16.4-bookworm', port: 5432 } })
    expect(args[args.indexOf('--health-cmd') + 1]).toBe(tcpHealthCommand(5432))
    expect(tcpHealthCommand(5432)).toContain('/dev/tcp/127.0.0.1/5432')
  })
})

describe('swarm service arguments', () => {
  it('creates a health-gated, start-first, self-rolling-back service on the overlay network', () => {
    const spec = { project: 'shop', service: 'users', version: 'v2', image: 'strato-shop-users:v2', suffix: '', deployedBy: 'b', deployedAt: 'a', replicas: 3, secrets: { DB_PASSWORD: 'value' }, config: { build: './users', port: 8080, health: '/healthz', secrets: ['DB_PASSWORD'] } }
    const labels = ['strato.project=shop', 'strato.service=users', 'strato.version=v2', 'strato.role=replica', 'strato.deployed-by=b', 'strato.deployed-at=a', 'strato.image=strato-shop-users:v2']
    const health = ['--health-cmd', healthCommand(8080, '/healthz'), '--health-interval', '1s', '--health-timeout', '3s', '--health-retries', '3']
    expect(swarmCreateArgs(spec)).toEqual([
      'service', 'create', '--detach', '--name', 'strato-shop-users', '--replicas', '3',
      '--network', 'strato-shop', '--endpoint-mode', 'dnsrr',
      '--update-order', 'start-first', '--update-parallelism', '1', '--update-failure-action', 'rollback', '--update-monitor', '3s',
      '--rollback-order', 'start-first', '--restart-condition', 'any', '--restart-max-attempts', '5',
      ...labels.flatMap((label) => ['--label', label, '--container-label', label]),
      ...health, '--env', 'PORT=8080', '--env', 'DB_PASSWORD=value',
      'strato-shop-users:v2',
    ])
    expect(swarmUpdateArgs(spec)).toEqual([
      'service', 'update', '--detach', '--image', 'strato-shop-users:v2', '--replicas', '3',
      ...labels.flatMap((label) => ['--label-add', label, '--container-label-add', label]),
      ...health, '--env-add', 'PORT=8080', '--env-add', 'DB_PASSWORD=value',
      'strato-shop-users',
    ])
    const database = swarmCreateArgs({ ...spec, config: { image: 'postgres:16', port: 5432, volumes: ['data:/var/lib/postgresql/data'] } })
    expect(database.slice(database.indexOf('--update-order'), database.indexOf('--update-order') + 2)).toEqual(['--update-order', 'stop-first'])
    expect(database.slice(-3)).toEqual(['--mount', 'type=volume,source=strato-shop-data,destination=/var/lib/postgresql/data', 'strato-shop-users:v2'])
  })
})
