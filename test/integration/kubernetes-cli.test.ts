/**
 * The kubernetes target from the CLI against the test cluster (a real API
 * server, controller manager and scheduler; kwok's simulated nodes): deploy,
 * a second deploy that changes nothing, status, scale, autoscale apply with
 * the HPA acting, a new version, one that never becomes ready (undone),
 * releases, rollback, logs, live checks, actual cost, RBAC refusal (exit 5),
 * an unreachable API server (exit 4) and destroy leaving nothing.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppsV1Api, CoreV1Api, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node'
import { parse } from 'yaml'
import { eventually, useCluster, type TestCluster } from '../helpers/cluster.js'
import { serviceAccountKubeconfig, unreachableKubeconfig } from '../helpers/kube-access.js'
import { startMetricsAdapter, type MetricsAdapter } from '../helpers/metrics-adapter.js'
import { execa } from 'execa'
import { cliBin, root, strato, stratoJson } from '../helpers/strato.js'

const namespace = `strato-cli-${process.pid}`
let cluster: TestCluster
let adapter: MetricsAdapter
let apps: AppsV1Api
let core: CoreV1Api
let dir: string
const env = { WEB_TOKEN: ['t', 'o', 'k'].join('') }

function manifest(webImage: string, kubeconfig = cluster.kubeconfig): string {
  return `name: clitest
services:
  web:
    image: ${webImage}
    port: 8080
    health: /healthz
    env: { MODE: test }
    secrets: [WEB_TOKEN]
    resources: { cpu: 0.5, memory: 256Mi }
    replicas: 2
    autoscale: { min: 2, max: 5, target: { cpu: 50 }, cooldown: 15s, stabilization: 30s }
  worker:
    image: example/worker:1.0.0
    resources: { cpu: 0.25, memory: 128Mi }
    replicas: 1
targets:
  k8s:
    provider: kubernetes
    namespace: ${namespace}
    kubeconfig: ${kubeconfig}
    ingressClass: nginx
    domain: clitest.example.com
    cost: { monthly: 146, cpus: 32, memory: 128Gi }
`
}

const write = (text: string) => writeFileSync(path.join(dir, 'strato.yaml'), text)
const run = (args: string[]) => strato(args, { cwd: dir, env })
const json = <T>(args: string[]) => stratoJson<T>(args, { cwd: dir, env })

async function deploymentOf(name: string) {
  return apps.readNamespacedDeployment({ name, namespace })
}

beforeAll(async () => {
  cluster = await useCluster()
  apps = cluster.kc.makeApiClient(AppsV1Api)
  core = cluster.kc.makeApiClient(CoreV1Api)
  adapter = await startMetricsAdapter(cluster.kubeconfig)
  dir = mkdtempSync(path.join(tmpdir(), 'strato-k8s-cli-'))
  write(manifest('example/web:1.0.0'))
})

afterAll(async () => {
  await adapter?.close()
  await KubernetesObjectApi.makeApiClient(cluster.kc).delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as KubernetesObject).catch(() => undefined)
  await cluster?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('a kubernetes target from the CLI', () => {
  it('deploys every service health-gated and reports the Ingress endpoint', async () => {
    const result = await json<{ targets: Record<string, { applied: unknown[]; endpoints: Record<string, string> }> }>(['deploy', '--yes'])
    expect(result.targets.k8s.applied).toHaveLength(2)
    expect(result.targets.k8s.endpoints).toEqual({ web: 'http://web.clitest.example.com' })
    const web = await deploymentOf('web')
    expect(web.status?.availableReplicas).toBe(2)
    expect(web.spec?.strategy?.rollingUpdate?.maxUnavailable).toBe(0)
    const managers = (web.metadata?.managedFields ?? []).filter((entry) => entry.operation === 'Apply').map((entry) => entry.manager)
    expect(managers).toEqual(['strato'])
    const secret = await core.readNamespacedSecret({ name: 'web-secrets', namespace })
    expect(Buffer.from(secret.data!.WEB_TOKEN, 'base64').toString()).toBe(env.WEB_TOKEN)
    expect(JSON.stringify(web.spec)).not.toContain(env.WEB_TOKEN)
    const status = await json<{ services: { service: string; running: number; healthy: number; endpoint?: string }[] }>(['status'])
    expect(status.services.map((row) => [row.service, row.running, row.healthy])).toEqual([['web', 2, 2], ['worker', 1, 1]])
  })

  it('changes nothing on a second deploy, and re-applying the same objects leaves them untouched', async () => {
    const before = await deploymentOf('web')
    const again = await run(['deploy', '--yes'])
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stdout).toContain('No changes')
    // Server-side apply of identical objects is a no-op on the server: same resourceVersion, no new revision.
    const { parseManifest } = await import('../../src/manifest/load.js')
    const { KubernetesProvider } = await import('../../providers/kubernetes/index.js')
    const { silentProgress } = await import('../../src/model.js')
    const loaded = parseManifest(manifest('example/web:1.0.0'), 'strato.yaml', path.join(dir, 'strato.yaml'))
    const provider = await KubernetesProvider.open({ manifest: loaded.manifest, targetName: 'k8s', target: loaded.manifest.targets!.k8s, projectDir: dir, env, progress: silentProgress })
    const version = before.metadata!.labels!['strato.version']
    await provider.apply([{ kind: 'update', target: 'k8s', service: 'web', from: 2, to: 2, fromVersion: version, toVersion: version, reasons: ['re-apply'] }], silentProgress)
    const after = await deploymentOf('web')
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion)
    expect(after.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1')
  })

  it('scales a service and keeps a PodDisruptionBudget while more than one replica runs', async () => {
    const result = await run(['scale', 'web', '3'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect((await deploymentOf('web')).status?.availableReplicas).toBe(3)
    const scaled = await run(['scale', 'worker', '2'])
    expect(scaled.exitCode, scaled.stderr).toBe(0)
    const budgets = await cluster.kc.makeApiClient((await import('@kubernetes/client-node')).PolicyV1Api).listNamespacedPodDisruptionBudget({ namespace })
    expect(budgets.items.map((budget) => budget.metadata?.name).sort()).toEqual(['web', 'worker'])
  })

  it('applies the autoscaler, which the HPA controller then acts on', async () => {
    const first = await json<{ applied: { service: string; changes?: Record<string, string[]> }[] }>(['autoscale', 'apply', '--target', 'k8s'])
    expect(first.applied.map((entry) => entry.service)).toEqual(['web'])
    // 450m of a 500m request is 90% against a 50% target: the controller scales web to its maximum, 5.
    adapter.setUsage(namespace, (pod) => ({ cpu: pod.metadata?.labels?.['strato.service'] === 'web' ? 450 : 10 }))
    await eventually('the HPA to scale web to 5', async () => (await deploymentOf('web')).spec?.replicas === 5)
    adapter.setUsage(namespace, () => ({ cpu: 200 }))
  })

  it('rolls out a new version and lists both releases', async () => {
    write(manifest('example/web:2.0.0'))
    const result = await run(['deploy', '--yes'])
    expect(result.exitCode, result.stderr).toBe(0)
    const releases = await json<{ targets: Record<string, { number: number; services: Record<string, { image: string }> }[]> }>(['releases'])
    expect(releases.targets.k8s.map((release) => release.services.web.image)).toEqual(['example/web:1.0.0', 'example/web:2.0.0'])
  })

  it('undoes a rollout that never becomes ready: exit 1 with the pods\' events, the old version keeps serving', async () => {
    const serving = (await deploymentOf('web')).metadata!.labels!['strato.version']
    write(manifest('example/web-never-ready:3.0.0'))
    const result = await run(['deploy', '--yes', '--health-timeout', '15'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('it was undone to version')
    expect(result.stderr).toMatch(/event Normal Scheduled/)
    const web = await deploymentOf('web')
    expect(web.metadata!.labels!['strato.version']).toBe(serving)
    expect(web.status?.availableReplicas).toBe(web.spec?.replicas)
    const releases = await json<{ targets: Record<string, unknown[]> }>(['releases'])
    expect(releases.targets.k8s).toHaveLength(2)
    write(manifest('example/web:2.0.0'))
  })

  it('rolls back to the previous release through the same health-gated path', async () => {
    const result = await json<{ targets: Record<string, { release?: number }> }>(['rollback', '--yes'])
    expect(result.targets.k8s.release).toBe(3)
    const web = await deploymentOf('web')
    expect(web.spec?.template?.spec?.containers[0].image).toBe('example/web:1.0.0')
    const releases = await json<{ targets: Record<string, { kind: string }[]> }>(['releases'])
    expect(releases.targets.k8s.at(-1)?.kind).toBe('rollback')
  })

  it('prints the pods\' logs, each line with its pod', async () => {
    const result = await run(['logs', 'worker', '--tail', '1'])
    expect(result.exitCode, result.stderr).toBe(0)
    const lines = result.stdout.trim().split('\n')
    // the last deploy put worker back to the manifest's 1 replica
    expect(lines).toHaveLength((await deploymentOf('worker')).spec!.replicas!)
    // the simulated container's log is shared by every pod of the test cluster: the prefix is what strato adds
    for (const line of lines) expect(line).toMatch(/^worker-[a-z0-9]+-[a-z0-9]+ \| \S/)
  })

  it('follows the logs: a line the simulated container writes later shows up', async () => {
    const follower = execa(process.execPath, [cliBin(), 'logs', 'worker', '--follow', '--tail', '1'], { cwd: dir, env: { ...env, NO_COLOR: '1', CI: '1' }, reject: false })
    let seen = ''
    follower.stdout!.on('data', (chunk: Buffer) => { seen += chunk.toString() })
    await eventually('the last line so far', async () => seen.includes(' | '), 30_000)
    // kwok serves every container's log from pod.log next to the test cluster's kubeconfig (CRI log format)
    const marker = `followed-${process.pid}`
    appendFileSync(path.join(path.dirname(cluster.kubeconfig), 'pod.log'), `${new Date().toISOString()} stdout F ${marker}\n`)
    await eventually('the new line', async () => seen.includes(marker), 30_000)
    follower.kill('SIGINT')
    await follower
    expect(seen).toMatch(new RegExp(`worker-[a-z0-9-]+ \\| ${marker}`))
  })

  it('checks the live namespace with the KUB rules', async () => {
    await core.createNamespacedPod({ namespace, body: { metadata: { name: 'debug-shell' }, spec: { containers: [{ name: 'shell', image: 'example/debug:1', securityContext: { privileged: true } }], volumes: [{ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }] } } })
    const result = await run(['check', '--live', '--target', 'k8s', '--format', 'json', '--fail-on', 'none'])
    expect(result.exitCode, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as { findings: { ruleId: string; message: string }[] }
    const kub = report.findings.filter((finding) => finding.ruleId.startsWith('KUB-'))
    expect(kub.map((finding) => finding.ruleId).sort()).toEqual(['KUB-001', 'KUB-003', 'KUB-004', 'KUB-005', 'KUB-008'])
    expect(kub.find((finding) => finding.ruleId === 'KUB-005')?.message).toContain('/var/run/docker.sock')
    await core.deleteNamespacedPod({ name: 'debug-shell', namespace, gracePeriodSeconds: 0 })
  })

  it('allocates the nodes\' cost to the services by their requests', async () => {
    // Pods that ran for minutes cost fractions of a cent: the rows prove the allocation, the unit tests its arithmetic.
    const result = await json<{ rows: { group: { service: string; provider: string }; amounts: { BilledCost: number } }[] }>(['cost', 'actual', '--target', 'k8s'])
    expect(new Set(result.rows.map((row) => row.group.service))).toEqual(new Set(['web', 'worker']))
    expect(result.rows.every((row) => row.group.provider === 'kubernetes' && row.amounts.BilledCost >= 0)).toBe(true)
  })

  it('exits 5 when RBAC refuses the credentials\' requests', async () => {
    const kubeconfig = await serviceAccountKubeconfig(cluster.kc, `${namespace}-rbac`, 'nobody')
    write(manifest('example/web:1.0.0', kubeconfig))
    const result = await run(['status'])
    expect(result.exitCode).toBe(5)
    expect(result.stderr).toContain('Permission denied')
    write(manifest('example/web:1.0.0'))
  })

  it('exits 4 when the API server cannot be reached', async () => {
    write(manifest('example/web:1.0.0', unreachableKubeconfig()))
    const result = await run(['status'])
    expect(result.exitCode).toBe(4)
    expect(result.stderr).toContain('could not be reached')
    write(manifest('example/web:1.0.0'))
  })

  it('destroys everything labelled with the project and proves it, namespace included', async () => {
    const result = await json<{ targets: Record<string, { remaining: unknown[] }> }>(['destroy', '--yes'])
    expect(result.targets.k8s.remaining).toEqual([])
    const left = await core.listNamespace()
    expect(left.items.map((item) => item.metadata?.name)).not.toContain(namespace)
  })
})

describe('the RBAC Role in providers/kubernetes/README.md', () => {
  it('is enough to deploy, scale, read releases and destroy in an existing namespace', async () => {
    const readme = readFileSync(path.join(root, 'providers/kubernetes/README.md'), 'utf8')
    const role = parse(/## RBAC[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)![1]) as { rules: Record<string, unknown>[] }
    const roleNamespace = `${namespace}-role`
    const kubeconfig = await serviceAccountKubeconfig(cluster.kc, roleNamespace, 'strato', role.rules)
    write(manifest('example/web:1.0.0', kubeconfig).replace(`namespace: ${namespace}`, `namespace: ${roleNamespace}`))
    for (const args of [['deploy', '--yes'], ['status'], ['scale', 'web', '3'], ['releases'], ['autoscale', 'apply', '--target', 'k8s'], ['destroy', '--yes']]) {
      const result = await run(args)
      expect(result.exitCode, `strato ${args.join(' ')}: ${result.stderr}`).toBe(0)
    }
    // strato did not create that namespace, so destroy leaves it
    expect((await core.readNamespace({ name: roleNamespace })).metadata?.name).toBe(roleNamespace)
    await core.deleteNamespace({ name: roleNamespace })
  })
})
