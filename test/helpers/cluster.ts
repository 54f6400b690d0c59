/**
 * The Kubernetes test cluster for integration tests: the one scripts/test.sh
 * started (STRATO_TEST_KUBECONFIG), else one started here for this file and
 * stopped after it (`npm run cluster -- up --detach`; builds the binaries on first use).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { KubeConfig } from '@kubernetes/client-node'
import { root } from './strato.js'

export interface TestCluster {
  kubeconfig: string
  kc: KubeConfig
  stop(): Promise<void>
}

const script = path.join(root, 'scripts/cluster/cluster.mjs')

export async function useCluster(): Promise<TestCluster> {
  const shared = process.env.STRATO_TEST_KUBECONFIG
  if (shared) return { kubeconfig: shared, kc: load(shared), stop: async () => {} }
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-test-cluster-'))
  const state = path.join(dir, 'state.json')
  const up = await execa(process.execPath, [script, 'up', '--detach', '--state', state], { stderr: 'inherit' })
  const { kubeconfig } = JSON.parse(up.stdout.trim().split('\n').at(-1)!) as { kubeconfig: string }
  return {
    kubeconfig,
    kc: load(kubeconfig),
    async stop() {
      await execa(process.execPath, [script, 'down', '--state', state], { stderr: 'inherit' })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function load(file: string): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromFile(file)
  return kc
}

/** Polls `check` every second until it holds; fails the test naming `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}
