/**
 * `strato new` end to end, through the built CLI: it scaffolds the shop for
 * both runtimes, each generated service passes its own tests (npm test;
 * pytest in a virtualenv) and its Dockerfile builds on the local engine with
 * a local base image. Then the shop runs for real: PostgreSQL, Redis, the
 * three services and nginx with the generated config, driven through the load
 * balancer (user -> order with payment -> capture), and stopped gracefully.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { networkInterfaces, tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { docker, ensureDockerEngine } from '../helpers/docker.js'
import { root, strato, stratoJson } from '../helpers/strato.js'
import { startInterceptingProxy } from '../helpers/tls-proxy.js'

const work = mkdtempSync(path.join(tmpdir(), 'strato-new-e2e-'))
const SERVICES = ['users', 'orders', 'payments'] as const
const DB_PASSWORD = `e2e-${process.pid}`
const cleanups: (() => Promise<unknown>)[] = []

interface NewResult {
  dir: string
  files: string[]
  options: { name: string; runtime: string; db: string; cache: boolean; services: string[]; targets: string[] }
}

beforeAll(async () => {
  await ensureDockerEngine()
  const missing = await execa('docker', ['image', 'inspect', 'local/python:3', 'local/postgres:15', 'local/mariadb:10', 'local/redis:7'], { reject: false })
  if (missing.exitCode !== 0) await execa('bash', [path.resolve(import.meta.dirname, '../../scripts/base-images.sh')], { stdio: 'inherit' })
})

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
})

async function scaffold(name: string, args: string[]): Promise<NewResult> {
  const dir = path.join(work, name)
  const result = await stratoJson<NewResult>(['new', 'shop', '--dir', dir, ...args])
  expect(result.dir).toBe(dir)
  for (const file of result.files) expect(existsSync(path.join(dir, file)), file).toBe(true)
  return result
}

/** The generated repo passes the manifest validation and the security rules at medium and above. */
async function expectValidAndClean(dir: string): Promise<void> {
  const validate = await strato(['validate'], { cwd: dir })
  expect(validate.stderr + validate.stdout).toContain('strato.yaml is valid')
  expect(validate.exitCode).toBe(0)
  const check = await strato(['check', '--fail-on', 'medium', '--json'], { cwd: dir })
  expect(check.exitCode, check.stdout).toBe(0)
  // compose.yaml parses and interpolates, read by Compose v1 (the strictest reader) where it is installed;
  // without it there is no exit code and nothing to assert.
  const env = { ...process.env, DB_PASSWORD: 'x', DB_ROOT_PASSWORD: 'x', REPLICATION_PASSWORD: 'x' }
  const compose = await execa('docker-compose', ['--file', path.join(dir, 'compose.yaml'), 'config', '--quiet'], { reject: false, env })
  if (compose.exitCode !== undefined) expect(compose.exitCode, compose.stderr).toBe(0)
  // The database role scripts of --read-replica at least parse.
  for (const script of ['db/entrypoint.sh', 'db/initdb/replication.sh']) {
    if (existsSync(path.join(dir, script))) await execa('bash', ['-n', path.join(dir, script)])
  }
}

/** The docker bridge's address on this host: build containers reach host services there. */
function bridgeGateway(): string {
  return networkInterfaces().docker0?.find((address) => address.family === 'IPv4')?.address ?? '172.17.0.1'
}

/** Docker passes HTTPS_PROXY to every RUN of a build without an ARG for it. */
const proxyArgs = (proxy: string) => ['--build-arg', `HTTPS_PROXY=${proxy}`, '--build-arg', `https_proxy=${proxy}`]

/**
 * The proxy-CA path, proved: behind a TLS-inspecting proxy with a private CA, a build without that CA in
 * certs/ is refused at the TLS handshake; with it, every service builds and the proxy saw the package
 * requests go through. Then the proxy's CA is removed again.
 */
async function expectBuildsTrustTheProxyCa(dir: string, images: Record<string, string>, baseImage: string, packageHost: string): Promise<void> {
  const proxy = await startInterceptingProxy(bridgeGateway())
  try {
    const refused = await execa('docker', ['build', '--quiet', '--no-cache', ...proxyArgs(proxy.url), '--build-arg', `BASE_IMAGE=${baseImage}`, '--tag', `${images.users}-refused`, path.join(dir, 'services/users')], { reject: false })
    expect(refused.exitCode, 'a build without the proxy CA in certs/ must fail').not.toBe(0)
    expect(proxy.refusedHandshakes).toBeGreaterThan(0)
    expect(proxy.intercepted).toEqual([])
    for (const service of SERVICES) writeFileSync(path.join(dir, 'services', service, 'certs/proxy-ca.pem'), proxy.caPem)
    for (const service of SERVICES) await buildImage(path.join(dir, 'services', service), images[service], baseImage, proxyArgs(proxy.url))
    expect(proxy.intercepted).toContain(packageHost)
  } finally {
    await proxy.close()
    for (const service of SERVICES) rmSync(path.join(dir, 'services', service, 'certs/proxy-ca.pem'), { force: true })
  }
}

/** Builds a service image on the local engine from a local base image; the caller removes it. */
async function buildImage(context: string, tag: string, baseImage: string, extraArgs: string[] = []): Promise<void> {
  cleanups.push(() => docker(['image', 'rm', '--force', tag]))
  const build = await execa('docker', ['build', '--quiet', ...extraArgs, '--build-arg', `BASE_IMAGE=${baseImage}`, '--tag', tag, context], { reject: false })
  expect(build.exitCode, build.stderr).toBe(0)
  const config = JSON.parse(await docker(['image', 'inspect', tag, '--format', '{{json .Config}}']))
  expect(config.User).toBe('1000:1000')
  expect(config.Healthcheck.Test[0]).toBe('CMD')
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: Error | undefined
  for (;;) {
    const value = await probe().catch((error: Error) => {
      last = error
      return undefined
    })
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `; last: ${last.message}` : ''}`)
    await sleep(500)
  }
}

async function run(name: string, args: string[]): Promise<void> {
  await docker(['run', '--detach', '--name', name, ...args])
}

/** Local stand-ins for the official database images, and how to tell they are ready. */
const DATABASES = {
  postgres: {
    run: ['-e', 'POSTGRES_USER=app', '-e', 'POSTGRES_DB=shop', '-e', `POSTGRES_PASSWORD=${DB_PASSWORD}`, 'local/postgres:15'],
    ready: ['pg_isready', '-h', '127.0.0.1', '-U', 'app', '-d', 'shop'],
    url: 'postgres://app@db:5432/shop',
  },
  mysql: {
    run: ['-e', 'MYSQL_USER=app', '-e', 'MYSQL_DATABASE=shop', '-e', `MYSQL_PASSWORD=${DB_PASSWORD}`, 'local/mariadb:10'],
    ready: ['mariadb-admin', 'ping', '-h', '127.0.0.1', '--silent'],
    url: 'mysql://app@db:3306/shop',
  },
}

interface ShopRun {
  db: keyof typeof DATABASES
  cache: boolean
  /** point DATABASE_REPLICA_URL at the same database, so reads go through the second pool */
  replicaPool: boolean
}

/**
 * Runs the scaffolded shop the way compose.yaml describes it, with local
 * images: database, cache, the services (read-only, no capabilities) and nginx.
 * Returns the load balancer's address and the users service's own address.
 */
async function runShop(dir: string, prefix: string, images: Record<string, string>, shop: ShopRun): Promise<{ lb: string; users: string; remove(): Promise<void> }> {
  const network = `${prefix}-net`
  const database = DATABASES[shop.db]
  // Removes this shop's containers and network as soon as its test is done, not at the end of the file.
  const remove = async () => {
    const names = (await docker(['ps', '--all', '--quiet', '--filter', `name=^${prefix}-`])).split('\n').filter(Boolean)
    if (names.length > 0) await docker(['rm', '--force', '--volumes', ...names])
    await docker(['network', 'rm', network], { reject: false })
  }
  cleanups.push(remove)
  await docker(['network', 'create', network])
  await run(`${prefix}-db`, ['--network', network, '--network-alias', 'db', ...database.run])
  if (shop.cache) await run(`${prefix}-cache`, ['--network', network, '--network-alias', 'cache', 'local/redis:7', 'redis-server', '--bind', '0.0.0.0', '--protected-mode', 'no', '--save', ''])
  await waitFor('the database', async () => {
    const ready = await execa('docker', ['exec', `${prefix}-db`, ...database.ready], { reject: false })
    return ready.exitCode === 0 ? true : undefined
  })
  // The services start together: each migrates the schema under the shared lock.
  await Promise.all(SERVICES.map((service) => run(`${prefix}-${service}`, [
    '--network', network, '--network-alias', service,
    '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges:true',
    ...(service === 'users' ? ['--publish', '127.0.0.1::8080'] : []),
    ...(service === 'users' && shop.cache ? ['-e', 'REDIS_URL=redis://cache:6379/0'] : []),
    '-e', `DATABASE_URL=${database.url}`, '-e', `DB_PASSWORD=${DB_PASSWORD}`, '-e', 'LOG_LEVEL=info',
    ...(shop.replicaPool ? ['-e', `DATABASE_REPLICA_URL=${database.url}`] : []),
    images[service],
  ])))
  for (const service of SERVICES) {
    await waitFor(`${service} to turn healthy (its image's HEALTHCHECK)`, async () => {
      const state = JSON.parse(await docker(['inspect', `${prefix}-${service}`, '--format', '{{json .State}}']))
      if (!state.Running) throw new Error(`${service} exited:\n${await docker(['logs', `${prefix}-${service}`])}`)
      return state.Health?.Status === 'healthy' ? true : undefined
    }, 90_000).catch(async (error) => {
      const logs = await execa('docker', ['logs', `${prefix}-${service}`], { reject: false, all: true })
      throw new Error(`${(error as Error).message}\n${logs.all}`)
    })
  }
  // nginx resolves its upstreams once, at start: wait until the engine's DNS answers for every service.
  await waitFor('the service names to resolve on the network', async () => {
    const lookup = await execa('docker', ['exec', `${prefix}-db`, 'getent', 'hosts', ...SERVICES], { reject: false })
    return lookup.exitCode === 0 && lookup.stdout.trim().split('\n').length === SERVICES.length ? true : undefined
  })
  await run(`${prefix}-lb`, [
    '--network', network, '--user', '101:101', '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL',
    '--volume', `${path.join(dir, 'lb/nginx.conf')}:/etc/nginx/nginx.conf:ro`, '--publish', '127.0.0.1::8080',
    'local/nginx:1', 'nginx', '-e', 'stderr', '-g', 'daemon off;',
  ])
  const address = async (container: string) => waitFor(`the published port of ${container}`, async () => {
    const state = JSON.parse(await docker(['inspect', container, '--format', '{{json .State}}']))
    if (!state.Running) {
      const logs = await execa('docker', ['logs', container], { reject: false, all: true })
      // Under heavy load the engine's DNS can still time out once; that is not the config's fault, so start again.
      if (/host not found in upstream/.test(logs.all ?? '')) await docker(['start', container], { reject: false })
      throw new Error(`${container} is not running (exit ${state.ExitCode}):\n${logs.all}`)
    }
    const port = await docker(['port', container, '8080'], { reject: false })
    return port ? `http://${port.split('\n')[0]}` : undefined
  }, 15_000)
  const lb = await address(`${prefix}-lb`)
  await waitFor('the load balancer', async () => ((await fetch(`${lb}/healthz`)).ok ? true : undefined))
  return { lb, users: await address(`${prefix}-users`), remove }
}

async function call(base: string, method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(base + route, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, json: text ? JSON.parse(text) : undefined }
}

/** The shop's main path through the load balancer, plus the errors a client meets. */
async function exerciseShop(lb: string, users: string, cacheContainer?: string): Promise<void> {
  const email = `ada-${Date.now()}@example.com`
  const created = await call(lb, 'POST', '/users', { email, name: 'Ada' })
  expect(created.status, JSON.stringify(created.json)).toBe(201)
  const user = created.json
  expect((await call(lb, 'POST', '/users', { email, name: 'Ada again' })).status).toBe(409)
  expect((await call(lb, 'POST', '/users', { email: 'nope' })).status).toBe(400)
  for (let i = 0; i < 2; i++) expect((await call(lb, 'GET', `/users/${user.id}`)).json.email).toBe(email)
  if (cacheContainer) {
    const cached = await docker(['exec', cacheContainer, 'redis-cli', 'GET', `user:${user.id}`])
    expect(JSON.parse(cached).email).toBe(email)
  }

  const placed = await call(lb, 'POST', '/orders', { userId: user.id, currency: 'EUR', items: [{ sku: 'tea', quantity: 3, unitPriceCents: 450 }, { sku: 'mug', quantity: 1, unitPriceCents: 1200 }] })
  expect(placed.status, JSON.stringify(placed.json)).toBe(201)
  const { order, payment } = placed.json
  expect(order.totalCents).toBe(2550)
  expect((await call(lb, 'POST', '/orders', { userId: '00000000-0000-4000-8000-000000000000', currency: 'EUR', items: [{ sku: 'tea', quantity: 1, unitPriceCents: 1 }] })).status).toBe(422)
  const read = await call(lb, 'GET', `/orders/${order.id}`)
  expect(read.json.items).toEqual([{ sku: 'mug', quantity: 1, unitPriceCents: 1200 }, { sku: 'tea', quantity: 3, unitPriceCents: 450 }])
  expect((await call(lb, 'GET', `/payments?orderId=${order.id}`)).json.id).toBe(payment.id)

  const captured = await call(lb, 'POST', `/payments/${payment.id}/capture`)
  expect(captured.status, JSON.stringify(captured.json)).toBe(200)
  expect(captured.json.status).toBe('captured')
  expect((await call(lb, 'POST', `/payments/${payment.id}/capture`)).status).toBe(409)
  expect((await call(lb, 'GET', `/orders/${order.id}`)).json.status).toBe('paid')
  expect((await call(lb, 'GET', `/orders?userId=${user.id}`)).json.orders).toHaveLength(1)

  const metrics = await (await fetch(`${users}/metrics`)).text()
  expect(metrics).toMatch(/^http_requests_total\{method="POST",route="\/users",status="201"\} 1$/m)
  expect(metrics).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/users\/:id"\} 2$/m)
}

/** SIGTERM: the service drains, closes its pools, logs "stopped" and exits 0; every log line is JSON. */
async function expectGracefulStop(container: string): Promise<void> {
  await docker(['stop', '--time', '20', container])
  const state = JSON.parse(await docker(['inspect', container, '--format', '{{json .State}}']))
  const logs = await execa('docker', ['logs', container], { all: true })
  expect(state.ExitCode, logs.all).toBe(0)
  const lines = logs.all.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; level: string })
  expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['schema ready', 'listening', 'request', 'shutting down', 'stopped']))
}

describe('strato new through the CLI', () => {
  it('rejects a name that is not a DNS label with the rule, exit 2', async () => {
    const result = await strato(['new', 'My_Shop', '--dir', path.join(work, 'bad')])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('a DNS label: 1-63 lowercase letters, digits or hyphens')
    expect(existsSync(path.join(work, 'bad'))).toBe(false)
  })

  it('asks for the name only in a terminal: without one it is a usage error naming it', async () => {
    const result = await strato(['new', '--json'], { cwd: work })
    expect(result.exitCode).toBe(2)
    expect(JSON.parse(result.stdout).error.message).toBe('Missing the project name.')
  })

  it('in a terminal, asks for the name, runtime and database', async () => {
    const dir = path.join(work, 'asked')
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'CI'))
    // script(1) gives the CLI a pseudo-terminal, so it prompts as it would for a person.
    const child = execa('script', ['-qfec', `${process.execPath} ${path.join(root, 'bin/run.js')} new --dir ${dir} --json`, '/dev/null'], {
      env: { ...env, NO_COLOR: '1' }, extendEnv: false, reject: false, stdin: 'pipe',
    })
    let screen = ''
    child.stdout!.on('data', (chunk: Buffer) => { screen += chunk.toString() })
    const answer = async (prompt: string, keys: string) => {
      await waitFor(`the prompt "${prompt}"`, async () => (screen.includes(prompt) ? true : undefined), 20_000)
      child.stdin!.write(keys)
    }
    await answer('Project name', 'asked-shop\r')
    await answer('Runtime', '\u001B[B\r') // arrow down: python
    await answer('Database', '\r') // the default: postgres
    const result = await child
    expect(result.exitCode, screen).toBe(0)
    expect(screen).toContain('"runtime": "python"')
    expect(readFileSync(path.join(dir, 'strato.yaml'), 'utf8')).toMatch(/^name: asked-shop$/m)
    expect(existsSync(path.join(dir, 'services/users/app/__main__.py'))).toBe(true)
  })

  it('refuses --services orders without users, and says why', async () => {
    const result = await strato(['new', 'shop', '--services', 'orders', '--dir', path.join(work, 'orders-only')])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('every order belongs to a user')
  })

  it('refuses a folder that is not empty unless --force is given', async () => {
    const dir = path.join(work, 'occupied')
    mkdirSync(dir)
    writeFileSync(path.join(dir, 'notes.txt'), 'mine')
    const refused = await strato(['new', 'shop', '--dir', dir])
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toMatch(/Fix:.*--force/)
    expect(existsSync(path.join(dir, 'strato.yaml'))).toBe(false)
    const forced = await strato(['new', 'shop', '--dir', dir, '--force'])
    expect(forced.exitCode, forced.stderr).toBe(0)
    expect(forced.stdout).toBe('')
    expect(forced.stderr).toContain('Next steps:')
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine')
    expect(readFileSync(path.join(dir, 'strato.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\/\.strato\/schema\.json$/m)
  })

  it('writes MySQL variants whose service tests pass and whose sources compile', async () => {
    const node = await scaffold('node-mysql', ['--db', 'mysql', '--cache', '--lb', 'weighted', '--target', 'azure'])
    const python = await scaffold('python-mysql', ['--runtime', 'python', '--db', 'mysql', '--cache', '--read-replica', '--lb', 'consistent-hash', '--target', 'aws', '--target', 'gcp'])
    await expectValidAndClean(node.dir)
    await expectValidAndClean(python.dir)
    for (const service of SERVICES) {
      // The tests use in-memory fakes, so they need no install; the driver modules must still parse.
      const cwd = path.join(node.dir, 'services', service)
      await execa('node', ['--check', 'src/db.js'], { cwd })
      const test = await execa('npm', ['test'], { cwd, reject: false, all: true })
      expect(test.exitCode, test.all).toBe(0)
      const pyCwd = path.join(python.dir, 'services', service)
      await execa('python3', ['-m', 'py_compile', ...['app/db.py', 'app/schema.py', 'app/__main__.py']], { cwd: pyCwd })
      const pytest = await execa('python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], { cwd: pyCwd, reject: false, all: true })
      expect(pytest.exitCode, pytest.all).toBe(0)
    }
  })
})

describe('the node shop', () => {
  let result: NewResult

  it('is scaffolded with the chosen options and passes validate and check', async () => {
    result = await scaffold('node', ['--cache', '--lb', 'least-conn', '--target', 'docker', '--target', 'aws'])
    expect(result.options).toMatchObject({ runtime: 'node', db: 'postgres', cache: true, services: [...SERVICES], targets: ['docker', 'aws'] })
    expect(readFileSync(path.join(result.dir, 'lb/nginx.conf'), 'utf8')).toContain('least_conn;')
    await expectValidAndClean(result.dir)
  })

  it('each service installs and passes its own tests', async () => {
    for (const service of SERVICES) {
      const cwd = path.join(result.dir, 'services', service)
      await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd })
      const test = await execa('npm', ['test'], { cwd, reject: false, all: true })
      expect(test.exitCode, test.all).toBe(0)
      expect(test.all).toMatch(/ℹ fail 0/)
    }
  })

  it('each Dockerfile builds behind a TLS-inspecting proxy, trusting its CA from certs/ (and fails without it)', async () => {
    const images = Object.fromEntries(SERVICES.map((service) => [service, `strato-e2e/node-${service}:${process.pid}`]))
    await expectBuildsTrustTheProxyCa(result.dir, images, 'local/node:24', 'registry.npmjs.org')
  })

  it('runs against PostgreSQL and Redis behind nginx, and stops gracefully', async () => {
    const prefix = `strato-e2e-node-${process.pid}`
    const images = Object.fromEntries(SERVICES.map((service) => [service, `strato-e2e/node-${service}:${process.pid}`]))
    const { lb, users, remove } = await runShop(result.dir, prefix, images, { db: 'postgres', cache: true, replicaPool: false })
    try {
      await exerciseShop(lb, users, `${prefix}-cache`)
      await expectGracefulStop(`${prefix}-users`)
    } finally {
      await remove()
    }
  })
})

describe('the python shop', () => {
  let result: NewResult

  it('is scaffolded with the chosen options and passes validate and check', async () => {
    result = await scaffold('python', ['--runtime', 'python', '--cache', '--read-replica', '--lb', 'consistent-hash', '--target', 'gcp'])
    expect(result.options).toMatchObject({ runtime: 'python', db: 'postgres', cache: true, targets: ['gcp'] })
    expect(readFileSync(path.join(result.dir, 'lb/nginx.conf'), 'utf8')).toContain('hash $http_x_user_id consistent;')
    await expectValidAndClean(result.dir)
  })

  it('each service installs into a virtualenv and passes pytest', async () => {
    const venv = path.join(work, 'venv')
    await execa('python3', ['-m', 'venv', venv])
    const pip = path.join(venv, 'bin/pip')
    const requirements = SERVICES.flatMap((service) => ['-r', path.join(result.dir, 'services', service, 'requirements.txt')])
    await execa(pip, ['install', '--quiet', '--disable-pip-version-check', ...requirements, '-r', path.join(result.dir, 'services/users/requirements-dev.txt')])
    for (const service of SERVICES) {
      const test = await execa(path.join(venv, 'bin/python'), ['-m', 'pytest', '-q'], { cwd: path.join(result.dir, 'services', service), reject: false, all: true })
      expect(test.exitCode, test.all).toBe(0)
      expect(test.all).toMatch(/\d+ passed/)
    }
  })

  it('each Dockerfile builds behind a TLS-inspecting proxy, trusting its CA from certs/ (and fails without it)', async () => {
    const images = Object.fromEntries(SERVICES.map((service) => [service, `strato-e2e/python-${service}:${process.pid}`]))
    await expectBuildsTrustTheProxyCa(result.dir, images, 'local/python:3', 'pypi.org')
  })

  it('runs against PostgreSQL (reads through the second pool) and Redis behind nginx, and stops gracefully', async () => {
    const prefix = `strato-e2e-python-${process.pid}`
    const images = Object.fromEntries(SERVICES.map((service) => [service, `strato-e2e/python-${service}:${process.pid}`]))
    const { lb, users, remove } = await runShop(result.dir, prefix, images, { db: 'postgres', cache: true, replicaPool: true })
    try {
      await exerciseShop(lb, users, `${prefix}-cache`)
      await expectGracefulStop(`${prefix}-users`)
    } finally {
      await remove()
    }
  })
})

describe('the shop on MySQL (MariaDB standing in)', () => {
  const shops = [
    { runtime: 'node', args: ['--db', 'mysql', '--cache', '--lb', 'weighted'], base: 'local/node:24', cache: true },
    { runtime: 'python', args: ['--runtime', 'python', '--db', 'mysql', '--lb', 'round-robin'], base: 'local/python:3', cache: false },
  ] as const

  it.each(shops)('$runtime: builds, runs behind nginx and stops gracefully', async ({ runtime, args, base, cache }) => {
    const result = await scaffold(`${runtime}-mysql-run`, [...args])
    const images = Object.fromEntries(SERVICES.map((service) => [service, `strato-e2e/${runtime}-mysql-${service}:${process.pid}`]))
    for (const service of SERVICES) await buildImage(path.join(result.dir, 'services', service), images[service], base)
    const prefix = `strato-e2e-${runtime}-mysql-${process.pid}`
    const { lb, users, remove } = await runShop(result.dir, prefix, images, { db: 'mysql', cache, replicaPool: runtime === 'python' })
    try {
      await exerciseShop(lb, users, cache ? `${prefix}-cache` : undefined)
      await expectGracefulStop(`${prefix}-users`)
    } finally {
      await remove()
    }
  })
})
