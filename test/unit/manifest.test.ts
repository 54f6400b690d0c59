import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { descriptorOf } from '../../providers/descriptors.js'
import { checkManifest, formatProblem, loadManifestFile, parseManifest } from '../../src/manifest/load.js'
import { parseReplicaCount } from '../../src/planning/scale.js'
import { seededRandom } from '../../bench/seeded-random.mjs'
import { manifestOf } from '../../bench/validate/generate.mjs'
import { UserError } from '../../src/errors.js'

const VALID = `name: shop
services:
  users:
    build: ./services/users
    port: 8080
    health: /healthz
    env: { LOG_LEVEL: info }
    secrets: [DB_PASSWORD]
    resources: { cpu: 0.5, memory: 256Mi }
    replicas: 2
    autoscale: { min: 2, max: 10, target: { cpu: 60 }, cooldown: 60s }
  db:
    image: postgres:16.4-bookworm
    port: 5432
loadBalancer: { algorithm: least-conn }
targets:
  onprem: { provider: docker, hosts: [unix:///var/run/docker.sock, ssh://ops@db1], mode: swarm }
  aws: { provider: aws, region: eu-west-1, instanceType: t3.small }
  azure: { provider: azure, location: westeurope, vmSize: Standard_B2s }
  gcp: { provider: gcp, project: acme-prod, zone: europe-west1-b, machineType: e2-small }
placement:
  - { target: onprem, max: 6 }
  - { target: aws, max: 20 }
budgets: { monthly: 500 }
checks: { failOn: high, skip: [{ id: DKR-004, reason: "base image is rebuilt nightly", until: 2027-03-01 }] }
`

function problems(text: string): string[] {
  return checkManifest(text, 'strato.yaml', descriptorOf).problems.map(formatProblem)
}

/** The valid manifest with one line replaced. */
function withLine(from: string, to: string): string {
  if (!VALID.includes(from)) throw new Error(`fixture lacks ${from}`)
  return VALID.replace(from, to)
}

describe('manifest validation', () => {
  it('accepts the full example from the design', () => {
    expect(problems(VALID)).toEqual([])
    const loaded = parseManifest(VALID, 'strato.yaml', '/project/strato.yaml')
    expect(loaded.manifest.services.users.autoscale?.max).toBe(10)
    expect(loaded.dir).toBe('/project')
    expect(loaded.locate(['services', 'users', 'port'])).toEqual({ line: 5, col: 11 })
  })

  it.each([
    ['a misspelt top-level key', withLine('budgets:', 'budgtes:'),
      'strato.yaml:24:1 budgtes: unknown key; did you mean "budgets"?'],
    ['a misspelt service key', withLine('    replicas: 2', '    replica: 2'),
      'strato.yaml:10:5 services.users.replica: unknown key; did you mean "replicas"?'],
    ['an unknown key far from any known one', withLine('    replicas: 2', '    colour: 2\n    replicas: 2'),
      'strato.yaml:10:5 services.users.colour: unknown key (allowed: build, image, command, port, health, env, secrets, resources, replicas, autoscale, weight, route, expose, volumes, restart, privileged, network, user, dependsOn, targets)'],
    ['a port given as a string', withLine('port: 8080', 'port: "8080"'),
      'strato.yaml:5:11 services.users.port: expected a number, got "8080"'],
    ['a port out of range', withLine('port: 8080', 'port: 70000'),
      'strato.yaml:5:11 services.users.port: must be <= 65535, got 70000'],
    ['a bad duration', withLine('cooldown: 60s', 'cooldown: 60x'),
      'strato.yaml:11:66 services.users.autoscale.cooldown: must be a duration such as 30s, 5m or 1h, got "60x"'],
    ['a bad memory size', withLine('memory: 256Mi', 'memory: 256MB'),
      'strato.yaml:9:36 services.users.resources.memory: must be a size such as 256Mi, 1Gi or 512M, got "256MB"'],
    ['a misspelt load-balancing algorithm', withLine('least-conn', 'least-con'),
      'strato.yaml:15:28 loadBalancer.algorithm: expected one of round-robin | least-conn | weighted | consistent-hash, got "least-con"; did you mean "least-conn"?'],
    ['a misspelt provider', withLine('provider: docker', 'provider: dokcer'),
      'strato.yaml:17:23 targets.onprem.provider: expected one of docker | aws | azure | gcp | kubernetes, got "dokcer"; did you mean "docker"?'],
    ['a region typo', withLine('region: eu-west-1', 'region: eu-wset-1'),
      'strato.yaml:18:33 targets.aws.region: must be an AWS region such as eu-west-1 or us-east-1, got "eu-wset-1"; did you mean "eu-west-1"?'],
    ['a key of another provider', withLine('instanceType: t3.small', 'vmSize: t3.small'),
      'strato.yaml:18:44 targets.aws.vmSize: unknown key (allowed: provider, region, instanceType, profile, endpoint, vpc, subnets, registry, ami)'],
    ['a bad docker host', withLine('ssh://ops@db1', 'db1'),
      'strato.yaml:17:68 targets.onprem.hosts.1: must be a Docker host address: unix:///path, ssh://user@host or tcp://host:port, got "db1"'],
    ['placement naming an unknown target', withLine('target: aws, max: 20', 'target: awz, max: 20'),
      'strato.yaml:23:15 placement.1.target: unknown target "awz"; known: onprem, aws, azure, gcp'],
    ['a service with neither build nor image', withLine('    image: postgres:16.4-bookworm\n', ''),
      'strato.yaml:12:3 services.db: needs either build (a folder with a Dockerfile) or image (an image reference)'],
    ['an image pinned to latest', withLine('postgres:16.4-bookworm', 'postgres:latest'),
      'strato.yaml:13:12 services.db.image: pin a version tag or digest instead of "latest", so deploys are repeatable'],
    ['a project name that is not a DNS label', withLine('name: shop', 'name: My_Shop'),
      'strato.yaml:1:7 name: must be a DNS label: 1-63 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen, got "My_Shop"'],
    ['a misspelt severity', withLine('failOn: high', 'failOn: hgh'),
      'strato.yaml:25:19 checks.failOn: expected one of critical | high | medium | low, got "hgh"; did you mean "high"?'],
    ['an impossible date', withLine('until: 2027-03-01', 'until: 2027-13-01'),
      'strato.yaml:25:95 checks.skip.0.until: must be a date as YYYY-MM-DD, got "2027-13-01"'],
    ['replicas outside the autoscale range', withLine('replicas: 2', 'replicas: 12'),
      'strato.yaml:10:15 services.users.replicas: must be within autoscale min..max (2..10)'],
    ['a health path without a leading slash', withLine('health: /healthz', 'health: healthz'),
      'strato.yaml:6:13 services.users.health: must be an HTTP path starting with /, got "healthz"'],
    ['a secret name that is not an environment variable', withLine('secrets: [DB_PASSWORD]', 'secrets: [db-password]'),
      'strato.yaml:8:15 services.users.secrets.0: must be an environment variable name: letters, digits and underscores, not starting with a digit, got "db-password"'],
  ])('reports %s', (_what, text, expected) => {
    expect(problems(text)).toEqual([expected])
  })

  it('reports autoscale max below min, and replicas that no longer fit', () => {
    expect(problems(withLine('min: 2, max: 10', 'min: 2, max: 1'))).toEqual([
      'strato.yaml:10:15 services.users.replicas: must be within autoscale min..max (2..1)',
      'strato.yaml:11:31 services.users.autoscale.max: must be >= min (2)',
    ])
  })

  it('reports a missing required key at its parent', () => {
    expect(problems('name: shop\n')).toEqual(['strato.yaml:1:1 services: is required (a mapping)'])
  })

  it('reports several problems in one run, in file order', () => {
    const text = withLine('budgets:', 'budgtes:').replace('port: 8080', 'port: "8080"').replace('provider: docker', 'provider: dokcer')
    expect(problems(text).map((line) => line.split(' ')[0])).toEqual(['strato.yaml:5:11', 'strato.yaml:17:23', 'strato.yaml:24:1'])
  })

  it('reports YAML syntax errors with their position', () => {
    expect(problems('name: shop\nservices:\n  users: [\n')).toEqual([expect.stringMatching(/^strato\.yaml:4:1 YAML syntax: /)])
    expect(problems('name: shop\nname: again\nservices: {}\n')).toEqual(['strato.yaml:2:1 YAML: duplicate key "name": a key may appear once in a mapping'])
  })

  it('rejects a document that is not a mapping', () => {
    expect(problems('- a\n- b\n')).toEqual(['strato.yaml:1:1 expected a mapping with at least name and services'])
  })

  it('throws one usage error (exit 2) carrying every problem for commands', () => {
    const run = () => parseManifest(withLine('budgets:', 'budgtes:').replace('port: 8080', 'port: "8080"'), 'strato.yaml')
    expect(run).toThrow(UserError)
    try {
      run()
    } catch (error) {
      const userError = error as UserError
      expect(userError.exitCode).toBe(2)
      expect(userError.message).toBe('strato.yaml is not valid (2 problems).')
      expect(userError.options.details).toHaveLength(2)
    }
  })
})

describe('service routes', () => {
  const shop = (usersRoute: string, ordersExtra = '') => `name: shop
services:
  users:
    image: registry.example/users:1.0.0
    port: 8080
${usersRoute}
  orders:
    image: registry.example/orders:1.0.0
    port: 8080
${ordersExtra}`

  it('accepts a path, a host or both, and leaves the default /<service> to services without one', () => {
    for (const route of ['    route: { path: /api/users }', '    route: { host: users.example.com }', '    route: { host: "*.example.com", path: /users }', '    route: { path: / }']) {
      expect(problems(shop(route)), route).toEqual([])
    }
    const loaded = parseManifest(shop('    route: { host: users.example.com }'), 'strato.yaml')
    expect(loaded.manifest.services.users.route).toEqual({ host: 'users.example.com' })
  })

  it.each([
    ['a path with a trailing slash', '    route: { path: /users/ }',
      'strato.yaml:6:20 services.users.route.path: must be a URL path such as /orders or /api/orders: letters, digits, . _ ~ - between slashes, no trailing slash, got "/users/"'],
    ['a path with a wildcard', '    route: { path: /users* }',
      'strato.yaml:6:20 services.users.route.path: must be a URL path such as /orders or /api/orders: letters, digits, . _ ~ - between slashes, no trailing slash, got "/users*"'],
    ['a host with capitals', '    route: { host: Users.example.com }',
      'strato.yaml:6:20 services.users.route.host: must be a lowercase host name such as orders.example.com (a leading *. is allowed), got "Users.example.com"'],
    ['an empty route', '    route: {}',
      'strato.yaml:6:12 services.users.route: needs a path, a host or both'],
    ['a route taking another service\'s default path', '    route: { path: /orders }',
      'strato.yaml:7:3 services.orders: its default route (path /orders) is services.users\'s route too; give one of them another route.path or a route.host'],
  ])('reports %s', (_what, route, expected) => {
    expect(problems(shop(route))).toEqual([expected])
  })

  it('reports two services on one host and path at the second one\'s route', () => {
    expect(problems(shop('    route: { host: shop.example.com }', '    route: { host: shop.example.com, path: / }\n'))).toEqual([
      'strato.yaml:10:12 services.orders.route: host shop.example.com is services.users\'s route too; give each service its own path or host',
    ])
  })

  it('reports a route on a service without a port', () => {
    expect(problems(shop('    route: { path: /u }').replace('    port: 8080\n    route', '    route'))).toEqual([
      'strato.yaml:5:5 services.users.route: a route needs a port to send requests to; add services.users.port',
    ])
  })
})

describe('image references', () => {
  const image = (value: string) => problems(withLine('image: postgres:16.4-bookworm', `image: ${JSON.stringify(value)}`))
  it.each([
    'postgres:16.4-bookworm', 'registry.example/users:1.4.2', 'localhost:5000/a/b_c__d-e:v1', 'ghcr.io/org/app@sha256:' + 'a'.repeat(64),
    'docker.io/library/node:24.11.1-bookworm-slim', '[::1]:5000/x:1', 'local/node:24',
  ])('accepts %s', (value) => {
    expect(image(value)).toEqual([])
  })

  it.each([
    ['a backtick', 'postgres:16`id`', 'without "`" (at character 12)'],
    ['a space', 'postgres 16', 'without spaces (at character 9)'],
    ['a capital in the repository', 'Postgres:16', 'with a lowercase repository name'],
    ['an empty tag', 'postgres:', '[registry/]repository[:tag][@sha256:digest]'],
    ['a short digest', 'postgres@sha256:abc', '[registry/]repository[:tag][@sha256:digest]'],
    ['a tag of 129 characters', `postgres:${'a'.repeat(129)}`, '[registry/]repository[:tag][@sha256:digest]'],
    ['a name over 255 characters', `${'a'.repeat(256)}:1`, 'whose name is at most 255 characters'],
  ])('refuses %s with line and column', (_what, value, expected) => {
    const [problem] = image(value)
    expect(problem).toMatch(/^strato\.yaml:13:12 services\.db\.image: must be an image reference/)
    expect(problem).toContain(expected)
  })

  it('refuses bytes that are not UTF-8 at their line and column, with exit 2', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strato-utf8-'))
    const file = path.join(dir, 'strato.yaml')
    const text = Buffer.from(VALID.replace('postgres:16.4-bookworm', 'postgres:16.4-bookworm\u0000'), 'utf8')
    writeFileSync(file, Buffer.from(text.toString('latin1').replace('\u0000', '\u00ff'), 'latin1'))
    try {
      loadManifestFile(file, 'strato.yaml')
      expect.unreachable()
    } catch (error) {
      expect((error as UserError).exitCode).toBe(2)
      expect((error as UserError).options.details).toEqual(['strato.yaml:13:34 the file is not valid UTF-8 (byte 0xFF); save it as UTF-8'])
    }
  })
})

describe('replica bounds', () => {
  it('refuses counts above the per-service maximum, with the reason', () => {
    expect(problems(withLine('replicas: 2', 'replicas: 1000000000'))).toEqual([
      'strato.yaml:10:15 services.users.replicas: must be within autoscale min..max (2..10)',
      'strato.yaml:10:15 services.users.replicas: must be <= 10000: strato manages at most 10,000 replicas of one service',
    ])
    expect(problems(withLine('max: 10,', 'max: 20000,'))).toEqual(['strato.yaml:11:31 services.users.autoscale.max: must be <= 10000: strato manages at most 10,000 replicas of one service'])
    expect(() => parseReplicaCount('1000000000')).toThrow('Replicas must be at most 10000')
    expect(parseReplicaCount('10000')).toBe(10000)
  })

  it('refuses counts above a target\'s own limit where the provider has one', () => {
    const gcpOnly = 'name: shop\nservices:\n  web: { image: "x:1", replicas: 1500 }\ntargets:\n  g: { provider: gcp, project: acme-prod, zone: europe-west1-b }\n'
    expect(problems(gcpOnly)).toEqual(['strato.yaml:3:34 services.web.replicas: must be <= 1000 on target g: a zonal managed instance group holds at most 1,000 VMs'])
    const placed = withLine('target: aws, max: 20', 'target: gcp, max: 2000')
    expect(problems(placed)).toEqual(['strato.yaml:23:25 placement.1.max: must be <= 1000 on target gcp: a zonal managed instance group holds at most 1,000 VMs'])
    // aws has no group limit below strato's own
    expect(problems(withLine('target: aws, max: 20', 'target: aws, max: 5000'))).toEqual([])
  })
})

describe('YAML aliases and anchors', () => {
  it('reports an alias without an anchor at its position, as a manifest error', () => {
    expect(problems('name: shop\nservices:\n  web: *base\n')).toEqual(['strato.yaml:3:8 YAML: alias *base has no anchor &base before it'])
    expect(() => parseManifest('name: shop\nservices:\n  web: *base\n', 'strato.yaml')).toThrow(UserError)
  })

  it('reports an alias bomb at the alias that crosses the bound, without expanding it', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (const name of 'bcdefghi') levels.push(`${name}: &${name} [${Array(9).fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`).join(',')}]`)
    const started = performance.now()
    const found = problems(`name: shop\nservices: {}\n${levels.join('\n')}\n`)
    expect(performance.now() - started).toBeLessThan(2000)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatch(/^strato\.yaml:\d+:\d+ YAML: aliases expand the document to more than 10000 extra nodes/)
  })

  it('reports an alias inside the node it names', () => {
    expect(problems('name: shop\nservices: &s { web: *s }\n')).toEqual(['strato.yaml:2:21 YAML: alias *s refers to a node that contains it, which never ends'])
  })

  it('still accepts ordinary anchors and aliases', () => {
    expect(problems('name: shop\nservices:\n  web: &svc { image: "x:1", port: 8080, health: /h }\n  api: *svc\n')).toEqual([])
  })

  it('never ends as a bug on seeded random alias and anchor mutations of a valid manifest', () => {
    const random = seededRandom(1125)
    const tokens = ['&a ', '&b ', '*a', '*b', '*c', '<<: *a', '[', ']', '{', '}', ': ', '- ', '\n  ', '"', "'", '#', '&a [*a]', '\u00ff', '\t']
    for (let run = 0; run < 1500; run++) {
      let text = VALID
      const edits = 1 + Math.floor(random() * 4)
      for (let edit = 0; edit < edits; edit++) {
        const at = Math.floor(random() * text.length)
        const token = tokens[Math.floor(random() * tokens.length)]
        text = random() < 0.8 ? text.slice(0, at) + token + text.slice(at) : text.slice(0, at) + text.slice(at + Math.floor(random() * 10))
      }
      const result = checkManifest(text, 'strato.yaml')
      for (const problem of result.problems) {
        expect(problem.line, text).toBeGreaterThan(0)
        expect(problem.col, text).toBeGreaterThan(0)
      }
      if (result.problems.length === 0) expect(result.manifest, text).toBeDefined()
    }
  }, 60_000)
})

describe('large manifests', () => {
  const timed = (text: string) => {
    const started = performance.now()
    const result = checkManifest(text, 'strato.yaml', descriptorOf)
    return { result, ms: performance.now() - started }
  }
  const fastest = (text: string, runs: number) => {
    const results = Array.from({ length: runs }, () => timed(text))
    return { result: results[0].result, ms: Math.min(...results.map((item) => item.ms)) }
  }

  // Time grows linearly: 8 times the services may take about 8 times as long (20 allows for a loaded
  // machine); a quadratic step makes it 64 times. With problems, every other service has one, so
  // locating and explaining problems is measured too. The absolute bound is generous for the same
  // reason (bench/validate measures the real figures).
  it.each([['valid', false], ['half with a problem', true]] as const)('validates 20,000 services (%s) in linear time', (_, problems) => {
    const small = fastest(manifestOf(2500, { problems }), 3).ms
    const text = manifestOf(20_000, { problems })
    const { result, ms } = fastest(text, 2)
    if (problems) {
      expect(result.problems).toHaveLength(10_000)
      const last = result.problems.at(-1)!
      expect(formatProblem(last)).toMatch(/^strato\.yaml:\d+:5 services\.s19998\.colour: unknown key/)
      expect(text.split('\n')[last.line - 1]).toBe('    colour: red')
    } else {
      expect(result.problems).toEqual([])
      expect(Object.keys(result.manifest!.services)).toHaveLength(20_000)
    }
    expect(ms / small).toBeLessThan(20)
    expect(ms).toBeLessThan(10_000)
  }, 60_000)
})
