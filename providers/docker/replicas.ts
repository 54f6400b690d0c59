/** Starting, health-gating, stopping and reading the logs of one replica container. */
import { setTimeout as sleep } from 'node:timers/promises'
import { UserError } from '../../src/errors.js'
import type { DockerHost } from './engine.js'
import { addressOf, type ContainerInspect } from './inventory.js'
import { dockerArgv, replicaRunArgs, type ReplicaSpec } from './argv.js'

export interface Replica {
  id: string
  name: string
  /** where the balancer reaches it */
  address: string
  version: string
  image: string
}

export async function startReplica(host: DockerHost, spec: ReplicaSpec, secretsEnv: NodeJS.ProcessEnv): Promise<Replica> {
  const args = replicaRunArgs(spec)
  const name = args[args.indexOf('--name') + 1]
  const id = (await host.run(args, { env: secretsEnv })).trim()
  const [container] = JSON.parse(await host.run(dockerArgv.inspectContainers(id))) as ContainerInspect[]
  return { id, name, address: addressOf(container, spec.project), version: spec.version, image: spec.image }
}

export type HealthOutcome = { healthy: true } | { healthy: false; reason: string }

/** Waits until Docker reports the container healthy (or, without a health check, running steadily). */
/**
 * Waits until the replica is healthy. With `probeEarly`, strato also runs the
 * container's own health command itself between Docker's checks, so a rollout
 * step does not wait out Docker's interval; Docker's verdict is awaited once at
 * the end of a service's rollout instead.
 */
export async function waitHealthy(host: DockerHost, id: string, timeoutMs: number, options: { probeEarly?: boolean; pollMs?: number } = {}): Promise<HealthOutcome> {
  const pollMs = options.pollMs ?? 100
  const deadline = Date.now() + timeoutMs
  let runningSince: number | undefined
  let lastFailure: string | undefined
  for (;;) {
    const [container] = JSON.parse(await host.run(dockerArgv.inspectContainers(id))) as ContainerInspect[]
    const { State } = container
    if (State.Status === 'exited' || State.Status === 'dead') return { healthy: false, reason: `exited with code ${State.ExitCode}` }
    if (container.RestartCount > 0 || State.Status === 'restarting') return { healthy: false, reason: 'restarted (it crashed at least once)' }
    if (State.Health) {
      if (State.Health.Status === 'healthy') return { healthy: true }
      const test = container.Config.Healthcheck?.Test
      if (options.probeEarly && State.Running && test?.[0] === 'CMD-SHELL' && test[1]) {
        const probe = await host.tryRun(dockerArgv.execShell(id, test[1]), { timeoutMs: 5000 })
        if (probe.ok) return { healthy: true }
      }
      // An unhealthy replica may still come good (slow start): keep asking until the deadline.
      const last = State.Health.Log?.at(-1)
      if (last && last.ExitCode !== 0) lastFailure = `its health check fails (${last.Output.trim().split('\n').slice(-1)[0] || `exit ${last.ExitCode}`})`
    } else if (State.Running) {
      // No health check to ask: running for two seconds without a restart counts as up.
      runningSince ??= Date.now()
      if (Date.now() - runningSince >= 2000) return { healthy: true }
    }
    if (Date.now() > deadline) return { healthy: false, reason: `not healthy within ${Math.round(timeoutMs / 1000)}s${lastFailure ? `: ${lastFailure}` : ''}` }
    await sleep(pollMs)
  }
}

/** Stops gracefully (SIGTERM, then SIGKILL after the grace period) and removes. */
export async function removeReplica(host: DockerHost, id: string, graceSeconds = 10): Promise<void> {
  await host.tryRun(dockerArgv.stopContainer(id, graceSeconds))
  const removed = await host.tryRun(dockerArgv.removeContainers([id], { volumes: true }))
  if (!removed.ok && removed.error instanceof UserError) throw removed.error
}

export async function lastLogLines(host: DockerHost, id: string, lines = 20): Promise<string[]> {
  return (await host.combinedOutput(dockerArgv.containerLogs(id, lines))).split('\n').filter(Boolean)
}
