/** The kubernetes provider's pure parts: rollout state, releases, facts, error translation, quantities. */
import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { ApiError } from '../../providers/kubernetes/client.js'
import { translateKubeError } from '../../providers/kubernetes/errors.js'
import { podFact, runsAs } from '../../providers/kubernetes/facts.js'
import { podHealth, podState } from '../../providers/kubernetes/inventory.js'
import { cpuCores, memoryBytes } from '../../providers/kubernetes/quantities.js'
import { pickRelease, releasesFrom, serviceRevisions } from '../../providers/kubernetes/releases.js'
import { rolloutState, withTemplateOf, type ReplicaSetLike } from '../../providers/kubernetes/rollout.js'

const scope = { targetName: 'k8s', server: 'https://127.0.0.1:6443', namespace: 'shop' }

describe('rollout state', () => {
  const deployment = (status: Record<string, unknown>, generation = 2) => ({ metadata: { name: 'web', generation }, spec: { replicas: 3 }, status: { observedGeneration: 2, ...status } })

  it('is done when every replica runs the new template and is available, and no old one is left', () => {
    expect(rolloutState(deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 })).done).toBe(true)
    expect(rolloutState(deployment({ replicas: 4, updatedReplicas: 3, availableReplicas: 3 })).done).toBe(false)
    expect(rolloutState(deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 2 })).done).toBe(false)
  })

  it('is not done before the controller has seen the new generation', () => {
    const state = rolloutState(deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 }, 3))
    expect(state).toEqual({ done: false, progress: 'waiting for the Deployment controller' })
  })

  it('reports a stalled rollout from the Progressing condition', () => {
    const state = rolloutState(deployment({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-1" has timed out progressing.' }] }))
    expect(state.stalled).toBe('ReplicaSet "web-1" has timed out progressing.')
  })
})

function set(revision: number, version: string, at: string, extra: Record<string, string> = {}): ReplicaSetLike {
  return {
    metadata: { name: `web-${revision}`, annotations: { 'deployment.kubernetes.io/revision': String(revision), 'strato.deployed-at': at, 'strato.deployed-by': 'ana@ci', ...extra } },
    spec: { replicas: 0, template: { metadata: { labels: { 'strato.version': version, 'pod-template-hash': `h${revision}` } }, spec: { containers: [{ image: `example/web:${version}` }] } } },
  }
}

describe('releases from the revision history', () => {
  const revisions = [
    ...serviceRevisions('web', [set(1, 'v1', '2026-11-01T10:00:00Z'), set(2, 'bad', '2026-11-02T10:00:00Z', { 'strato.rollout-failed': 'true' }), set(3, 'v2', '2026-11-03T10:00:00Z', { 'strato.release-kind': 'deploy' })], 3),
    ...serviceRevisions('worker', [set(1, 'w1', '2026-11-01T10:00:00Z')], 1),
  ]
  const releases = releasesFrom(revisions)

  it('groups the services by deploy moment and leaves failed rollouts out', () => {
    expect(releases.map((release) => [release.number, release.at, Object.fromEntries(Object.entries(release.services).map(([name, state]) => [name, state.version]))])).toEqual([
      [1, '2026-11-01T10:00:00Z', { web: 'v1', worker: 'w1' }],
      [2, '2026-11-03T10:00:00Z', { web: 'v2', worker: 'w1' }],
    ])
    expect(releases[1].services.web).toEqual({ version: 'v2', image: 'example/web:v2', replicas: 3 })
    expect(releases[1].by).toBe('ana@ci')
  })

  it('picks the previous release that runs something else, or one named by number or version', () => {
    expect(pickRelease(releases, undefined)?.number).toBe(1)
    expect(pickRelease(releases, '2')?.number).toBe(2)
    expect(pickRelease(releases, 'v1')?.number).toBe(1)
    expect(pickRelease(releases, '9')).toBeUndefined()
  })

  it('puts an earlier template back into the Deployment without the ReplicaSet\'s hash label', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { 'strato.version': 'v2', 'strato.project': 'shop' } }, spec: { replicas: 3, template: {} } }
    const undone = withTemplateOf(deployment, set(1, 'v1', '2026-11-01T10:00:00Z')) as unknown as { metadata: { labels: Record<string, string> }; spec: { replicas: number; template: { metadata: { labels: Record<string, string> } } } }
    expect(undone.metadata.labels).toEqual({ 'strato.version': 'v1', 'strato.project': 'shop' })
    expect(undone.spec.template.metadata.labels).toEqual({ 'strato.version': 'v1' })
    expect(undone.spec.replicas).toBe(3)
  })
})

describe('pods', () => {
  it('reads state and health from the phase and the Ready condition', () => {
    expect(podState({ metadata: { name: 'p' }, status: { phase: 'Running' } })).toBe('running')
    expect(podState({ metadata: { name: 'p', deletionTimestamp: '2026-11-01T00:00:00Z' }, status: { phase: 'Running' } })).toBe('stopped')
    expect(podHealth({ metadata: { name: 'p' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } })).toBe('unhealthy')
    expect(podHealth({ metadata: { name: 'p' }, status: { phase: 'Pending' } })).toBe('starting')
  })

  it('says who a container runs as from the pod and container security contexts', () => {
    expect(runsAs(undefined, undefined)).toBe('image')
    expect(runsAs({ runAsNonRoot: true }, undefined)).toBe('non-root')
    expect(runsAs({ runAsNonRoot: true }, { runAsUser: 0 })).toBe('root')
    expect(runsAs(undefined, { runAsUser: 1000 })).toBe('non-root')
  })

  it('turns a pod into the fact the KUB rules read', () => {
    const fact = podFact({
      metadata: { name: 'legacy', namespace: 'shop' },
      spec: { hostPID: true, containers: [{ name: 'c', image: 'x:1', securityContext: { privileged: true }, resources: { limits: { memory: '64Mi' } } }], volumes: [{ name: 'sock', hostPath: { path: '/run/containerd/containerd.sock' } }] },
    }, 'k8s')
    expect(fact.data).toMatchObject({
      hostPID: true, hostNetwork: false, serviceAccount: 'default',
      containers: [{ name: 'c', privileged: true, allowPrivilegeEscalation: true, runsAs: 'image', limits: { memory: '64Mi' } }],
      hostPaths: [{ name: 'sock', path: '/run/containerd/containerd.sock' }],
    })
  })
})

describe('errors from the API server', () => {
  const translate = (error: unknown) => translateKubeError(error, 'list Deployments', scope) as UserError

  it('makes refused credentials and RBAC denials exit 5', () => {
    expect(translate(new ApiError(401, '{}', 'GET')).exitCode).toBe(5)
    const denied = translate(new ApiError(403, JSON.stringify({ kind: 'Status', message: 'deployments.apps is forbidden: User "x" cannot list resource' }), 'GET'))
    expect(denied.exitCode).toBe(5)
    expect(denied.message).toContain('namespace shop')
  })

  it('makes an API server nobody answers for exit 4, whatever wraps the socket error', () => {
    expect(translate(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })).exitCode).toBe(4)
    expect(translate(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) })).exitCode).toBe(4)
  })

  it('tells a namespace being deleted (exit 6) from a denial by its cause, not its text', () => {
    const body = JSON.stringify({ kind: 'Status', code: 403, details: { causes: [{ reason: 'NamespaceTerminating', message: 'namespace shop is being terminated' }] } })
    expect(translate(new ApiError(403, body, 'POST')).exitCode).toBe(6)
  })

  it('leaves other errors (bugs) as they are', () => {
    const bug = new RangeError('boom')
    expect(translateKubeError(bug, 'x', scope)).toBe(bug)
  })
})

describe('quantities', () => {
  it('reads CPU and memory quantities as the API server writes them', () => {
    expect(cpuCores('250m')).toBe(0.25)
    expect(cpuCores('2')).toBe(2)
    expect(memoryBytes('128Mi')).toBe(128 * 1024 ** 2)
    expect(memoryBytes('1G')).toBe(1e9)
    expect(memoryBytes('131072Ki')).toBe(128 * 1024 ** 2)
    expect(memoryBytes('garbage')).toBe(0)
  })
})
