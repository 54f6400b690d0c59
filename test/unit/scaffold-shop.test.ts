import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { manifestJsonSchema } from '../../src/manifest/json-schema.js'
import { checkManifest } from '../../src/manifest/load.js'
import { resolveShopOptions, type RawShopOptions } from '../../src/scaffold/options.js'
import { renderShop } from '../../src/scaffold/shop.js'
import { SCHEMA_COMMENT } from '../../src/scaffold/shop-manifest.js'
import { descriptorOf } from '../../providers/descriptors.js'
import { gcpProjectId } from '../../providers/gcp/descriptor.js'
import { readTemplateTree, templatesRoot } from '../../src/scaffold/template-tree.js'

const templates = readTemplateTree(templatesRoot())
const render = (raw: RawShopOptions) => renderShop(resolveShopOptions({ name: 'shop', ...raw }), templates, descriptorOf, { version: '0.1.0' })

/** Every runtime x db x cache x replica x algorithm, with target sets and service subsets spread across them. */
function combinations(): RawShopOptions[] {
  const targetSets = [['docker'], ['aws'], ['azure'], ['gcp'], ['docker', 'aws', 'azure', 'gcp'], ['aws', 'gcp']]
  const subsets = [undefined, 'users', 'users,orders']
  const all: RawShopOptions[] = []
  let index = 0
  for (const runtime of ['node', 'python']) {
    for (const db of ['postgres', 'mysql']) {
      for (const cache of [false, true]) {
        for (const readReplica of [false, true]) {
          for (const lb of ['round-robin', 'least-conn', 'weighted', 'consistent-hash']) {
            all.push({ runtime, db, cache, readReplica, lb, targets: targetSets[index % targetSets.length], services: subsets[index % subsets.length] })
            index++
          }
        }
      }
    }
  }
  return all
}

describe('the generated strato.yaml', () => {
  it.each(combinations().map((raw) => [JSON.stringify(raw), raw] as const))('validates for %s', (_, raw) => {
    const files = render(raw)
    const text = files['strato.yaml']
    expect(text.split('\n')[0]).toBe(SCHEMA_COMMENT)
    const { problems, manifest } = checkManifest(text, 'strato.yaml', descriptorOf)
    expect(problems).toEqual([])
    expect(Object.keys(manifest!.targets!)).toHaveLength(raw.targets!.length)
    expect(manifest!.loadBalancer!.algorithm).toBe(raw.lb)
    for (const [name, service] of Object.entries(manifest!.services)) {
      if (service.build) expect(files[`${String(service.build)}/Dockerfile`.replace('./', '')], name).toBeDefined()
    }
  })

  it('hashes on X-User-Id for consistent-hash and gives weights for weighted', () => {
    const hashed = parse(render({ lb: 'consistent-hash' })['strato.yaml'])
    expect(hashed.loadBalancer).toEqual({ algorithm: 'consistent-hash', engine: 'nginx', hashOn: { header: 'X-User-Id' } })
    const weighted = parse(render({ lb: 'weighted' })['strato.yaml'])
    expect([weighted.services.users.weight, weighted.services.orders.weight, weighted.services.payments.weight]).toEqual([3, 2, 1])
  })

  it('names the secrets, never their values', () => {
    const manifest = parse(render({ readReplica: true })['strato.yaml'])
    expect(manifest.services.users.secrets).toEqual(['DB_PASSWORD'])
    expect(manifest.services.db.secrets).toEqual(['POSTGRES_PASSWORD', 'REPLICATION_PASSWORD'])
    expect(manifest.services.users.env.DATABASE_REPLICA_URL).toBe('postgres://app@db-replica:5433/shop')
    expect(JSON.stringify(manifest)).not.toMatch(/password=|:[^@/]+@db/i)
  })

  it('gives the read replica its own port, so primary and replica can share one internal address on a cloud target', () => {
    for (const [db, primary, replica, variable] of [['postgres', 5432, 5433, 'PGPORT'], ['mysql', 3306, 3307, 'MYSQL_TCP_PORT']] as const) {
      const manifest = parse(render({ db, readReplica: true })['strato.yaml'])
      expect(manifest.services.db.port).toBe(primary)
      expect(manifest.services['db-replica'].port).toBe(replica)
      expect(manifest.services['db-replica'].env[variable]).toBe(String(replica))
      expect(manifest.services.users.env.DATABASE_REPLICA_URL).toContain(`@db-replica:${replica}/`)
    }
  })

  it('starts the images it pulls as their own unprivileged users, never as root', () => {
    for (const db of ['postgres', 'mysql']) {
      const manifest = parse(render({ db, cache: true })['strato.yaml'])
      expect(manifest.services.db.user).toBe(db)
      expect(manifest.services.cache).toMatchObject({ image: 'redis:7.4.1-bookworm', user: 'redis' })
    }
    expect(parse(render({})['strato.yaml']).services.cache).toBeUndefined()
  })

  it('keeps GCP project ids within 6-30 characters', () => {
    expect(gcpProjectId('a')).toBe('a-prod')
    expect(gcpProjectId('x'.repeat(63))).toHaveLength(30)
    expect(gcpProjectId(`${'x'.repeat(24)}-y`)).toBe(`${'x'.repeat(24)}-prod`)
  })
})

describe('the generated repo', () => {
  it('ships the JSON schema the first line of strato.yaml points to', () => {
    expect(JSON.parse(render({})['.strato/schema.json'])).toEqual(manifestJsonSchema())
  })

  it('leaves no placeholder behind, in any combination', () => {
    for (const raw of combinations()) {
      for (const [file, text] of Object.entries(render(raw))) expect(text, file).not.toMatch(/\{\{[=#/]|\{\{else\}\}/)
    }
  })

  it('has per-service source, tests, Dockerfile and .dockerignore for each runtime', () => {
    const node = render({ services: 'users' })
    for (const file of ['package.json', 'src/main.js', 'src/db.js', 'test/users.test.js', 'Dockerfile', '.dockerignore']) expect(node[`services/users/${file}`], file).toBeDefined()
    expect(node['services/orders/Dockerfile']).toBeUndefined()
    const python = render({ runtime: 'python', db: 'mysql', cache: true })
    for (const file of ['requirements.txt', 'app/__main__.py', 'app/db.py', 'app/cache.py', 'tests/test_users.py', 'Dockerfile', '.dockerignore']) expect(python[`services/users/${file}`], file).toBeDefined()
    expect(python['services/orders/app/cache.py']).toBeUndefined()
    expect(python['services/users/requirements.txt']).toBe('PyMySQL==1.2.4\nredis==8.1.0\n')
    expect(JSON.parse(node['services/users/package.json']).dependencies).toEqual({ pg: '^8.23.1' })
    expect(JSON.parse(render({ db: 'mysql', cache: true })['services/users/package.json']).dependencies).toEqual({ mysql2: '^3.24.6', redis: '^6.3.1' })
  })

  it('writes Dockerfiles that follow the rules strato check enforces', () => {
    for (const runtime of ['node', 'python']) {
      const files = render({ runtime, readReplica: true })
      const dockerfiles = Object.entries(files).filter(([file]) => file.endsWith('Dockerfile'))
      expect(dockerfiles.length).toBe(4)
      for (const [file, text] of dockerfiles) {
        expect(text, file).toMatch(/^ARG BASE_IMAGE=[a-z]+:\d+\.\d+(\.\d+)?[-\w.]*$/m)
        expect(text, file).toMatch(/^FROM \$\{BASE_IMAGE\}/m)
        expect(text, file).toMatch(/^USER (1000:1000|postgres|mysql)$/m)
        expect(text, file).toMatch(/^HEALTHCHECK /m)
        expect(text, file).not.toMatch(/latest|curl|wget|^ADD |--mount|^ENV .*(PASSWORD|SECRET|TOKEN)/m)
      }
      const service = files['services/users/Dockerfile']
      expect(service.match(/^FROM /gm)).toHaveLength(2)
    }
  })

  it('writes a compose file with no privileges, no host network, local-only ports and interpolated secrets', () => {
    const compose = parse(render({ cache: true, readReplica: true })['compose.yaml'])
    for (const [name, service] of Object.entries<Record<string, any>>(compose.services)) {
      expect(service.privileged, name).toBeUndefined()
      expect(service.network_mode, name).toBeUndefined()
      expect(service.restart, name).toBe('unless-stopped')
      expect(service.deploy.resources.limits, name).toHaveProperty('memory')
      expect(service.user, name).toMatch(/^\d+:\d+$/)
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/)
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD/.test(key) && key !== 'MYSQL_RANDOM_ROOT_PASSWORD') expect(value, `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/)
      }
      expect(service.healthcheck ?? name !== 'db', name).toBeTruthy()
    }
    expect(compose.services.users.depends_on).toEqual({ db: { condition: 'service_healthy' }, 'db-replica': { condition: 'service_healthy' }, cache: { condition: 'service_healthy' } })
  })

  it('keeps .env out of git and ships only empty placeholders', () => {
    const files = render({ readReplica: true })
    expect(files['.gitignore'].split('\n')).toContain('.env')
    expect(files['.env.example']).toMatch(/^DB_PASSWORD=$/m)
    expect(files['.env.example']).toMatch(/^REPLICATION_PASSWORD=$/m)
  })
})
