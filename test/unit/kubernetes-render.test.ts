/**
 * The Kubernetes renderer and HPA compiler. Golden scenarios:
 * test/golden/kubernetes/<scenario>/strato.yaml -> objects.yaml (what
 * `strato export kubernetes` prints); the HPA's golden files are with the
 * other providers' in test/golden/autoscaling/kubernetes (autoscaling-golden.test.ts).
 * They change only through `node scripts/update-golden.mjs`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { UserError } from '../../src/errors.js'
import { parseManifest } from '../../src/manifest/load.js'
import { serviceVersions } from '../../src/planning/project-plan.js'
import { compileHpa } from '../../providers/kubernetes/autoscaling-compile.js'
import { exportKubernetes } from '../../providers/kubernetes/export.js'
import type { KubeObject } from '../../providers/kubernetes/objects.js'
import { renderProject } from '../../providers/kubernetes/render.js'
import { cpuQuantity, memoryQuantity } from '../../providers/kubernetes/render-workload.js'

const GOLDEN = path.resolve(import.meta.dirname, '../golden')
const updating = process.env.STRATO_UPDATE_GOLDEN === '1'

function load(file: string) {
  return parseManifest(readFileSync(file, 'utf8'), path.basename(file), file)
}

function compareGolden(file: string, actual: string): void {
  if (updating) {
    writeFileSync(file, actual)
    return
  }
  expect(existsSync(file), `${file} is missing: run node scripts/update-golden.mjs`).toBe(true)
  expect(actual).toBe(readFileSync(file, 'utf8'))
}

const scenarios = (dir: string) => readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()

describe('strato export kubernetes golden scenarios', () => {
  const root = path.join(GOLDEN, 'kubernetes')
  for (const scenario of scenarios(root)) {
    it(scenario, () => {
      const loaded = load(path.join(root, scenario, 'strato.yaml'))
      const result = exportKubernetes(loaded.manifest, serviceVersions(loaded.manifest, loaded.dir), undefined)
      compareGolden(path.join(root, scenario, 'objects.yaml'), result.yaml)
    })
  }
})

function shopObjects(secretValues?: Record<string, string>): KubeObject[] {
  const loaded = load(path.join(GOLDEN, 'kubernetes/shop/strato.yaml'))
  const versions = serviceVersions(loaded.manifest, loaded.dir)
  const target = loaded.manifest.targets!.k8s
  if (target.provider !== 'kubernetes') throw new Error('fixture changed')
  return renderProject({
    manifest: loaded.manifest, targetName: 'k8s', target, secretValues,
    services: { users: { replicas: 3, version: versions.users }, orders: { replicas: 1, version: versions.orders }, db: { replicas: 1, version: versions.db } },
  }).objects
}

const find = (objects: KubeObject[], kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name) as KubeObject & Record<string, any>

describe('what a service becomes', () => {
  it('rolls out with maxUnavailable 0 and gates on the health path', () => {
    const users = find(shopObjects({ DB_PASSWORD: 'x', POSTGRES_PASSWORD: 'y' }), 'Deployment', 'users')
    expect(users.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } })
    const container = users.spec.template.spec.containers[0]
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' })
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' })
    expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '500m', memory: '256Mi' } })
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } })
    expect(users.spec.template.spec.securityContext.runAsNonRoot).toBe(true)
  })

  it('never puts a secret value in the Deployment: it refers to the Secret built from the environment', () => {
    const value = ['not', 'in', 'the', 'deployment'].join('-')
    const objects = shopObjects({ DB_PASSWORD: value, POSTGRES_PASSWORD: 'y' })
    const users = find(objects, 'Deployment', 'users')
    expect(JSON.stringify(users)).not.toContain(value)
    expect(users.spec.template.spec.containers[0].env).toEqual([{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'users-secrets', key: 'DB_PASSWORD' } } }])
    expect(Buffer.from(find(objects, 'Secret', 'users-secrets').data.DB_PASSWORD, 'base64').toString()).toBe(value)
  })

  it('refuses to render a Secret whose environment variable is not set', () => {
    expect(() => shopObjects({ DB_PASSWORD: 'x' })).toThrow(UserError)
  })

  it('export leaves Secrets out and lists them', () => {
    const loaded = load(path.join(GOLDEN, 'kubernetes/shop/strato.yaml'))
    const result = exportKubernetes(loaded.manifest, serviceVersions(loaded.manifest, loaded.dir), 'k8s')
    expect(result.objects.some((object) => object.kind === 'Secret')).toBe(false)
    expect(result.secrets).toEqual([{ name: 'users-secrets', keys: ['DB_PASSWORD'] }, { name: 'db-secrets', keys: ['POSTGRES_PASSWORD'] }])
  })

  it('adds a PodDisruptionBudget only when more than one replica runs', () => {
    const objects = shopObjects({ DB_PASSWORD: 'x', POSTGRES_PASSWORD: 'y' })
    expect(find(objects, 'PodDisruptionBudget', 'users').spec.maxUnavailable).toBe(1)
    expect(find(objects, 'PodDisruptionBudget', 'orders')).toBeUndefined()
  })

  it('keeps a writable root for images that write outside /tmp, and replaces (not overlaps) pods with volumes', () => {
    const db = find(shopObjects({ DB_PASSWORD: 'x', POSTGRES_PASSWORD: 'y' }), 'Deployment', 'db')
    expect(db.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(false)
    expect(db.spec.strategy).toEqual({ type: 'Recreate' })
    expect(db.spec.template.spec.volumes).toEqual([{ name: 'db-data', persistentVolumeClaim: { claimName: 'db-data' } }])
  })

  it('writes one Ingress for the target with a rule per HTTP service and the target\'s class', () => {
    const objects = shopObjects({ DB_PASSWORD: 'x', POSTGRES_PASSWORD: 'y' })
    const ingresses = objects.filter((object) => object.kind === 'Ingress') as any[]
    expect(ingresses).toHaveLength(1)
    expect(ingresses[0].spec.ingressClassName).toBe('nginx')
    expect(ingresses[0].spec.rules.map((rule: any) => rule.host)).toEqual(['users.shop.example.com', 'orders.shop.example.com'])
    expect(ingresses[0].metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/upstream-hash-by': '$http_x_user_id' })
  })

  it('labels every object with the project, and the namespace first', () => {
    const objects = shopObjects({ DB_PASSWORD: 'x', POSTGRES_PASSWORD: 'y' })
    expect(objects[0].kind).toBe('Namespace')
    expect(objects[0].metadata.name).toBe('shop-prod')
    for (const object of objects) expect(object.metadata.labels?.['strato.project']).toBe('shop')
  })

  it('exports only the replicas placement gives a kubernetes target of a hybrid manifest', () => {
    const loaded = load(path.join(GOLDEN, 'kubernetes/hybrid/strato.yaml'))
    const result = exportKubernetes(loaded.manifest, serviceVersions(loaded.manifest, loaded.dir), undefined)
    const deployments = result.objects.filter((object) => object.kind === 'Deployment') as any[]
    expect(deployments.map((object) => [object.metadata.name, object.spec.replicas])).toEqual([['web', 3]])
  })

  it('names a target that is not kubernetes as a usage error', () => {
    const loaded = load(path.join(GOLDEN, 'kubernetes/hybrid/strato.yaml'))
    expect(() => exportKubernetes(loaded.manifest, {}, 'onprem')).toThrow(/not a kubernetes target/)
  })

  it('prints valid multi-document YAML', () => {
    const loaded = load(path.join(GOLDEN, 'kubernetes/defaults/strato.yaml'))
    const { yaml } = exportKubernetes(loaded.manifest, serviceVersions(loaded.manifest, loaded.dir), undefined)
    const docs = parseAllDocuments(yaml)
    expect(docs.every((doc) => doc.errors.length === 0)).toBe(true)
    expect(docs.map((doc) => (doc.toJS() as KubeObject).kind)).toEqual(['Namespace', 'ConfigMap', 'Service', 'Service', 'Deployment', 'Deployment', 'Ingress'])
  })
})

describe('quantities', () => {
  it('converts CPUs to millicores and sizes to Kubernetes suffixes', () => {
    expect(cpuQuantity(0.25)).toBe('250m')
    expect(cpuQuantity(2)).toBe('2000m')
    expect(memoryQuantity('256Mi')).toBe('256Mi')
    expect(memoryQuantity('1Gi')).toBe('1Gi')
    expect(memoryQuantity('1536Mi')).toBe('1536Mi')
    expect(memoryQuantity('512M')).toBe('512M')
    expect(memoryQuantity('64K')).toBe('64k')
  })
})

describe('HPA compiler', () => {
  const base = { project: 'shop', namespace: 'shop', service: 'api' }
  it('refuses schedules with what to use instead', () => {
    try {
      compileHpa({ ...base, policy: { min: 1, max: 3, schedule: [{ cron: '0 8 * * 1-5', min: 2 }] } })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(UserError)
      expect((error as UserError).exitCode).toBe(7)
    }
  })

  it('tracks the middle of step thresholds and limits each change to the largest step', () => {
    const { object, notes } = compileHpa({ ...base, policy: { min: 1, max: 5, steps: [{ metric: 'cpu', above: 70, change: 3 }, { metric: 'cpu', below: 30, change: -1 }], cooldown: '45s' } })
    const spec = object.spec as any
    expect(spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }])
    expect(spec.behavior.scaleUp.policies).toEqual([{ type: 'Pods', value: 3, periodSeconds: 45 }])
    expect(spec.behavior.scaleDown.policies).toEqual([{ type: 'Pods', value: 1, periodSeconds: 45 }])
    expect(notes[0]).toMatch(/no threshold rules/)
  })
})
