/**
 * `strato export kubernetes` against a real API server: every object of every
 * golden scenario passes a server-side dry-run apply (the API server's own
 * validation and admission), in a namespace created for the test.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node'
import { useCluster, type TestCluster } from '../helpers/cluster.js'
import { root, strato } from '../helpers/strato.js'

let cluster: TestCluster
let api: KubernetesObjectApi

beforeAll(async () => {
  cluster = await useCluster()
  api = KubernetesObjectApi.makeApiClient(cluster.kc)
})
afterAll(async () => {
  await cluster?.stop()
})

describe('strato export kubernetes', () => {
  for (const scenario of ['shop', 'hybrid', 'defaults']) {
    it(`${scenario}: every object passes a server-side dry-run apply`, async () => {
      const manifest = path.join(root, 'test/golden/kubernetes', scenario, 'strato.yaml')
      const result = await strato(['export', 'kubernetes', '-f', manifest])
      expect(result.exitCode, result.stderr).toBe(0)
      const objects = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as KubernetesObject)
      expect(objects[0].kind).toBe('Namespace')
      // The namespace really exists for the dry run of what lives in it, and goes afterwards.
      const namespace = objects[0]
      await api.patch(namespace, undefined, undefined, 'strato-tests', true, PatchStrategy.ServerSideApply)
      try {
        const rejected: string[] = []
        for (const object of objects.slice(1)) {
          try {
            await api.patch(object, undefined, 'All', 'strato', true, PatchStrategy.ServerSideApply)
          } catch (error) {
            rejected.push(`${object.kind}/${object.metadata?.name}: ${(error as Error).message}`)
          }
        }
        expect(rejected).toEqual([])
        const stored = await api.list('apps/v1', 'Deployment', namespace.metadata!.name)
        expect(stored.items).toEqual([])
      } finally {
        await api.delete(namespace).catch(() => undefined)
      }
    })
  }
})
