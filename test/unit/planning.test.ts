import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import type { Manifest } from '../../src/manifest/schema.js'
import type { Resource } from '../../src/model.js'
import { desiredState, splitReplicas } from '../../src/planning/desired.js'
import { isNoop, planTarget } from '../../src/planning/plan.js'
import { planRows } from '../../src/planning/project-plan.js'
import { checkService, parseReplicaCount } from '../../src/planning/scale.js'
import { planRollout, spreadReplicas } from '../../src/planning/spread.js'
import { statusRows } from '../../src/planning/status.js'
import { hashBuildContext, serviceVersion } from '../../src/planning/version.js'

const manifest: Manifest = {
  name: 'shop',
  services: {
    users: { build: './users', port: 8080, health: '/healthz', replicas: 2 },
    db: { image: 'postgres:16.4-bookworm', port: 5432 },
    orders: { image: 'shop/orders:1', autoscale: { min: 1, max: 5 } },
  },
}
const local = { provider: 'docker' as const }

function replica(service: string, version: string, state: Resource['state'] = 'running', location = 'unix:///a'): Resource {
  return { id: `${service}-${version}-${Math.random()}`, kind: 'container', target: 'local', service, version, state, health: 'healthy', labels: {}, location }
}

describe('versions', () => {
  it('hashes the build context by content, independent of file order and ignoring node_modules', () => {
    const a = mkdtempSync(path.join(tmpdir(), 'ctx-a-'))
    const b = mkdtempSync(path.join(tmpdir(), 'ctx-b-'))
    writeFileSync(path.join(a, 'x.js'), 'one')
    writeFileSync(path.join(a, 'y.js'), 'two')
    writeFileSync(path.join(b, 'y.js'), 'two')
    writeFileSync(path.join(b, 'x.js'), 'one')
    mkdirSync(path.join(b, 'node_modules'))
    writeFileSync(path.join(b, 'node_modules', 'junk.js'), 'ignored')
    expect(hashBuildContext(a)).toBe(hashBuildContext(b))
    writeFileSync(path.join(b, 'x.js'), 'changed')
    expect(hashBuildContext(a)).not.toBe(hashBuildContext(b))
  })

  it('changes with config but not with replicas or autoscaling', () => {
    const base = serviceVersion('/', 'db', { image: 'postgres:16.4-bookworm', port: 5432 })
    expect(base).toMatch(/^[0-9a-f]{12}$/)
    expect(serviceVersion('/', 'db', { image: 'postgres:16.4-bookworm', port: 5432, replicas: 3 })).toBe(base)
    expect(serviceVersion('/', 'db', { image: 'postgres:16.4-bookworm', port: 5433 })).not.toBe(base)
    expect(serviceVersion('/', 'db', { image: 'postgres:16.5-bookworm', port: 5432 })).not.toBe(base)
  })

  it('refuses a service with neither build nor image, as a usage error', () => {
    const error = (() => { try { serviceVersion('/', 'x', {}) } catch (caught) { return caught } })() as UserError
    expect(error).toBeInstanceOf(UserError)
    expect(error.exitCode).toBe(2)
    expect(error.message).toContain('neither build nor image')
  })
})

describe('desired state and the plan', () => {
  const versions = { users: 'v2', db: 'd1', orders: 'o1' }

  it('creates everything on an empty target', () => {
    const actions = planTarget('local', desiredState(manifest, { local }, versions), [])
    expect(actions.map((action) => [action.service, action.kind, action.to])).toEqual([['users', 'create', 2], ['db', 'create', 1], ['orders', 'create', 1]])
  })

  it('is a no-op when what runs matches', () => {
    const actual = [replica('users', 'v2'), replica('users', 'v2'), replica('db', 'd1'), replica('orders', 'o1')]
    const actions = planTarget('local', desiredState(manifest, { local }, versions), actual)
    expect(isNoop(actions)).toBe(true)
  })

  it('updates, scales and deletes', () => {
    const actual = [replica('users', 'v1'), replica('users', 'v1'), replica('db', 'd1'), replica('db', 'd1'), replica('orders', 'o1'), replica('old', 'x')]
    const actions = planTarget('local', desiredState(manifest, { local }, versions), actual)
    expect(actions.map((action) => [action.service, action.kind])).toEqual([['users', 'update'], ['db', 'scale'], ['orders', 'noop'], ['old', 'delete']])
    expect(actions[0]).toMatchObject({ fromVersion: 'v1', toVersion: 'v2' })
    expect(planRows(actions)[1]).toEqual(['local', 'db', 'scale', '2 -> 1', 'd1', 'replicas 2 -> 1'])
  })

  it('ignores stopped replicas and keeps an autoscaled count inside min..max', () => {
    const actual = [replica('users', 'v2'), replica('users', 'v2'), replica('users', 'v2', 'stopped'), replica('db', 'd1'), ...Array.from({ length: 4 }, () => replica('orders', 'o1'))]
    const actions = planTarget('local', desiredState(manifest, { local }, versions), actual)
    expect(isNoop(actions)).toBe(true)
  })

  it('splits replicas over targets by placement', () => {
    const targets = { onprem: local, aws: { provider: 'aws' as const, region: 'eu-west-1' } }
    const hybrid: Manifest = { ...manifest, targets, placement: [{ target: 'onprem', max: 3 }, { target: 'aws' }] }
    expect(splitReplicas(hybrid, targets, 'users', 5)).toEqual({ onprem: 3, aws: 2 })
    expect(splitReplicas(manifest, { local }, 'users', 4)).toEqual({ local: 4 })
  })
})

describe('spreading and rolling', () => {
  it('spreads evenly and keeps the remainder where replicas already run', () => {
    expect(spreadReplicas(5, ['a', 'b'])).toEqual({ a: 3, b: 2 })
    expect(spreadReplicas(5, ['a', 'b'], { b: 3 })).toEqual({ a: 2, b: 3 })
    expect(spreadReplicas(0, ['a'])).toEqual({ a: 0 })
  })

  it('starts one new replica before stopping each old one', () => {
    expect(planRollout(['o1', 'o2'], 3)).toEqual([{ start: true, stop: 'o1' }, { start: true, stop: 'o2' }, { start: true, stop: undefined }])
    expect(planRollout(['o1', 'o2', 'o3'], 1)).toEqual([{ start: true, stop: 'o1' }, { start: false, stop: 'o2' }, { start: false, stop: 'o3' }])
  })
})

describe('scale input', () => {
  it('accepts whole numbers of zero or more', () => {
    expect(parseReplicaCount('0')).toBe(0)
    expect(parseReplicaCount('12')).toBe(12)
  })

  it.each(['-1', '1.5', 'two', ''])('refuses %j with exit code 2', (raw) => {
    expect(() => parseReplicaCount(raw)).toThrow(UserError)
    try { parseReplicaCount(raw) } catch (error) { expect((error as UserError).exitCode).toBe(2) }
  })

  it('names an unknown service and suggests the closest', () => {
    expect(() => checkService(manifest, 'user')).toThrow('Unknown service "user"; did you mean "users"?')
  })
})

describe('status rows', () => {
  it('counts running and healthy replicas per host', () => {
    const resources = [{ ...replica('users', 'v2'), endpoint: 'http://127.0.0.1:8080' }, { ...replica('users', 'v2'), health: 'starting' as const }, replica('users', 'v2', 'running', 'ssh://b')]
    const rows = statusRows(desiredState(manifest, { local }, { users: 'v2', db: 'd1', orders: 'o1' }), resources)
    expect(rows.filter((row) => row.service === 'users')).toEqual([
      { target: 'local', service: 'users', host: 'unix:///a', desired: 2, running: 2, healthy: 1, versions: ['v2'], endpoint: 'http://127.0.0.1:8080', restarts: 0 },
      { target: 'local', service: 'users', host: 'ssh://b', desired: 2, running: 1, healthy: 1, versions: ['v2'], endpoint: undefined, restarts: 0 },
    ])
  })
})

describe('placement through the shared rules', () => {
  it('keeps a target with 0 replicas so what runs there is removed', () => {
    expect(splitReplicas(manifest, { local }, 'users', 0)).toEqual({ local: 0 })
    const actions = planTarget('local', desiredState({ ...manifest, services: { users: { ...manifest.services.users, replicas: 0 } } }, { local }, { users: 'v2' }), [replica('users', 'v2')])
    expect(actions).toMatchObject([{ kind: 'delete', service: 'users', reasons: ['0 replicas wanted'] }])
  })
})

describe('a service autoscaled across targets', () => {
  const hybrid: Manifest = {
    name: 'shop',
    services: { orders: { image: 'shop/orders:1', autoscale: { min: 2, max: 12, target: { cpu: 60 } } } },
    targets: { onprem: { provider: 'docker' }, aws: { provider: 'aws', region: 'eu-west-1' } },
    placement: [{ target: 'onprem', max: 4 }, { target: 'aws', max: 10 }],
  }
  const on = (target: string, count: number) => Array.from({ length: count }, () => ({ ...replica('orders', 'o1'), target }))

  it('wants every placement target, each within its own max', () => {
    expect(desiredState(hybrid, hybrid.targets!, { orders: 'o1' })).toEqual([
      { target: 'onprem', service: 'orders', replicas: 2, version: 'o1', range: { min: 0, max: 4 } },
      { target: 'aws', service: 'orders', replicas: 0, version: 'o1', range: { min: 0, max: 10 } },
    ])
  })

  it('keeps what the autoscaler placed on the cloud when deploy runs again', () => {
    const desired = desiredState(hybrid, hybrid.targets!, { orders: 'o1' })
    expect(planTarget('onprem', desired, on('onprem', 4))).toMatchObject([{ kind: 'noop', from: 4, to: 4 }])
    expect(planTarget('aws', desired, on('aws', 3))).toMatchObject([{ kind: 'noop', from: 3, to: 3 }])
    // beyond its placement max, a target is brought back to what placement gives it
    expect(planTarget('aws', desired, on('aws', 11))).toMatchObject([{ kind: 'delete', from: 11, to: 0 }])
  })

  it('shows a target that runs replicas the manifest does not place there', () => {
    const rows = statusRows(desiredState(manifest, { local }, { users: 'v2', db: 'd1', orders: 'o1' }), [{ ...replica('orders', 'o1', 'running', 'unix:///b'), target: 'burst' }])
    expect(rows.filter((row) => row.target === 'burst')).toEqual([{ target: 'burst', service: 'orders', host: 'unix:///b', desired: 0, running: 1, healthy: 1, versions: ['o1'], endpoint: undefined, restarts: 0 }])
  })
})
