import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { DockerHost, isRead } from '../../providers/docker/engine.js'
import { classifyDockerError, isTransientDockerError } from '../../providers/docker/errors.js'
import { imageMapFrom, mapImage, mappedBuildArgs, parseImageMap } from '../../providers/docker/image-map.js'
import { pickRelease } from '../../providers/docker/index.js'
import { balancerRunArgs, healthCommand, replicaRunArgs } from '../../providers/docker/replica-spec.js'
import type { ReleaseRecord } from '../../providers/provider.js'

describe('docker run arguments', () => {
  it('labels, limits, health-checks and attaches a replica', () => {
    const args = replicaRunArgs({
      project: 'shop', service: 'users', version: 'abc123', image: 'strato-shop-users:abc123', suffix: 'f00', deployedBy: 'ci@runner', deployedAt: '2026-01-01T00:00:00.000Z',
      config: { build: './users', port: 8080, health: '/healthz', resources: { cpu: 0.5, memory: '256Mi' }, env: { LOG_LEVEL: 'info' }, secrets: ['DB_PASSWORD'], volumes: ['data:/var/data'] },
    })
    expect(args.slice(0, 4)).toEqual(['run', '--detach', '--name', 'strato-shop-users-abc123-f00'])
    expect(args).toEqual(expect.arrayContaining(['--label', 'strato.project=shop', '--label', 'strato.service=users', '--label', 'strato.version=abc123']))
    const pairs = (flag: string) => args.flatMap((arg, index) => (arg === flag ? [args[index + 1]] : []))
    expect(pairs('--network')).toEqual(['strato-shop'])
    expect(pairs('--network-alias')).toEqual(['users'])
    expect(pairs('--restart')).toEqual(['unless-stopped'])
    expect(pairs('--cpus')).toEqual(['0.5'])
    expect(pairs('--memory')).toEqual([String(256 * 1024 * 1024)])
    expect(pairs('--env')).toEqual(['PORT=8080', 'LOG_LEVEL=info', 'DB_PASSWORD'])
    expect(pairs('--volume')).toEqual(['strato-shop-data:/var/data'])
    expect(pairs('--health-cmd')[0]).toContain('http://127.0.0.1:8080/healthz')
    expect(args.at(-1)).toBe('strato-shop-users:abc123')
  })

  it('never puts a secret value in the arguments', () => {
    const args = replicaRunArgs({ project: 'p', service: 's', version: 'v', image: 'i', suffix: 'x', deployedBy: 'b', deployedAt: 'a', config: { image: 'i', secrets: ['TOKEN'] } })
    expect(args.filter((arg) => arg.startsWith('TOKEN'))).toEqual(['TOKEN'])
  })

  it('health command falls back over curl, wget, node and python', () => {
    const command = healthCommand(3000, '/ready')
    for (const tool of ['curl', 'wget', 'perl -MIO::Socket::INET', 'node -e', 'python3 -c']) expect(command).toContain(tool)
  })

  it('publishes the balancer ports on the publish address', () => {
    const args = balancerRunArgs({ project: 'shop', image: 'local/nginx:1', publish: '127.0.0.1', ports: [8080, 8081], config: 'x' })
    expect(args).toEqual(expect.arrayContaining(['--publish', '127.0.0.1:8080:8080', '--publish', '127.0.0.1:8081:8081', '--label', 'strato.role=balancer']))
    expect(args).toContain(`STRATO_NGINX_CONF=${Buffer.from('x').toString('base64')}`)
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
    const { tcpHealthCommand } = await import('../../providers/docker/replica-spec.js')
    const args = replicaRunArgs({ project: 'p', service: 'db', version: 'v', image: 'i', suffix: 'x', deployedBy: 'b', deployedAt: 'a', config: { image: 'postgres:16.4-bookworm', port: 5432 } })
    expect(args[args.indexOf('--health-cmd') + 1]).toBe(tcpHealthCommand(5432))
    expect(tcpHealthCommand(5432)).toContain('/dev/tcp/127.0.0.1/5432')
  })
})

describe('swarm service arguments', () => {
  it('creates a health-gated, start-first, self-rolling-back service on the overlay network', async () => {
    const { swarmCreateArgs, swarmUpdateArgs } = await import('../../providers/docker/swarm.js')
    const spec = { project: 'shop', service: 'users', version: 'v2', image: 'strato-shop-users:v2', suffix: '', deployedBy: 'b', deployedAt: 'a', replicas: 3, secrets: { DB_PASSWORD: 'value' }, config: { build: './users', port: 8080, health: '/healthz', secrets: ['DB_PASSWORD'] } }
    const create = swarmCreateArgs(spec)
    expect(create.slice(0, 7)).toEqual(['service', 'create', '--detach', '--name', 'strato-shop-users', '--replicas', '3'])
    expect(create).toEqual(expect.arrayContaining(['--network', 'strato-shop', '--endpoint-mode', 'dnsrr', '--update-order', 'start-first', '--update-failure-action', 'rollback']))
    expect(create).toEqual(expect.arrayContaining(['--container-label', 'strato.version=v2', '--env', 'DB_PASSWORD=value']))
    expect(create.at(-1)).toBe('strato-shop-users:v2')
    const update = swarmUpdateArgs(spec)
    expect(update).toEqual(expect.arrayContaining(['--image', 'strato-shop-users:v2', '--container-label-add', 'strato.version=v2']))
    expect(update.at(-1)).toBe('strato-shop-users')
    expect(swarmCreateArgs({ ...spec, config: { image: 'postgres:16', port: 5432, volumes: ['data:/var/lib/postgresql/data'] } })).toEqual(expect.arrayContaining(['--update-order', 'stop-first', '--mount', 'type=volume,source=strato-shop-data,destination=/var/lib/postgresql/data']))
  })
})
