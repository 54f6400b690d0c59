/**
 * Kubeconfigs for tests that need other credentials than the cluster admin's:
 * a service account's token (RBAC decides what it may do) or a server nothing
 * answers on.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CoreV1Api, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node'
import { stringify } from 'yaml'

/** A kubeconfig with one cluster, one token and one context. */
export function writeKubeconfig(server: string, caData: string | undefined, token: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'strato-kubeconfig-')), 'config')
  writeFileSync(file, stringify({
    apiVersion: 'v1', kind: 'Config',
    // a plain-HTTP server (a test proxy) is only accepted by the client with TLS verification off
    clusters: [{ name: 'test', cluster: { server, ...(caData ? { 'certificate-authority-data': caData } : server.startsWith('http:') ? { 'insecure-skip-tls-verify': true } : {}) } }],
    users: [{ name: 'test', user: { token } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'test' } }],
    'current-context': 'test',
  }), { mode: 0o600 })
  return file
}

/** A kubeconfig for a new service account in `namespace`, bound to `rules` there (none: it may do nothing). */
export async function serviceAccountKubeconfig(kc: KubeConfig, namespace: string, name: string, rules: Record<string, unknown>[] = []): Promise<string> {
  const objects = KubernetesObjectApi.makeApiClient(kc)
  const apply = (object: Record<string, unknown>) => objects.patch(object as KubernetesObject, undefined, undefined, 'strato-tests', true, PatchStrategy.ServerSideApply)
  await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } })
  await apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } })
  if (rules.length > 0) {
    await apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules })
    await apply({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ kind: 'ServiceAccount', name, namespace }],
    })
  }
  const core = kc.makeApiClient(CoreV1Api)
  const request = await core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } })
  const cluster = kc.getCurrentCluster()!
  return writeKubeconfig(cluster.server, cluster.caData ?? undefined, request.status!.token!)
}

/** A kubeconfig whose server is a local port nothing listens on. */
export function unreachableKubeconfig(): string {
  return writeKubeconfig('https://127.0.0.1:1', undefined, ['not', 'a', 'token'].join('-'))
}
