/**
 * The deploy lock, held on the target itself so that two people (or two CI
 * jobs) on different machines see it: a created-but-never-started container
 * with a fixed name. Docker refuses a second container of the same name, so
 * taking the lock is atomic.
 */
import { UserError } from '../../src/errors.js'
import { DockerCommandError, type DockerHost } from './engine.js'
import type { ContainerInspect } from './inventory.js'
import { labelArgs, labelState, names, projectLabels, ROLE } from './naming.js'
import { dockerArgv } from './argv.js'

export interface LockHolder {
  by: string
  at: string
  command: string
}

export async function acquireLock(host: DockerHost, project: string, image: string, holder: LockHolder, force: boolean): Promise<() => Promise<void>> {
  const name = names.lock(project)
  const labels = projectLabels(project, ROLE.lock, { deployedBy: holder.by, deployedAt: holder.at, extra: { command: holder.command } })
  const create = () => host.run(dockerArgv.createMarker(name, labels, image))
  try {
    await create()
  } catch (error) {
    if (!(error instanceof DockerCommandError) || !/already in use|Conflict/i.test(error.stderr)) throw error
    const [existing] = JSON.parse(await host.run(dockerArgv.inspectContainers(name))) as ContainerInspect[]
    const held = labelState(existing.Config.Labels)
    if (held?.project !== project || held.role !== ROLE.lock) {
      throw new UserError(`A container named ${name} exists on ${host.label} without strato's lock labels.`, {
        code: 'conflict',
        fix: `strato never touches containers it did not label: rename or remove it yourself (docker rm ${name}).`,
      })
    }
    if (!force) {
      throw new UserError(`Another deploy of "${project}" holds the lock on ${host.label}: ${held.extra?.command ?? 'deploy'} by ${held.deployedBy} since ${held.deployedAt}.`, {
        code: 'conflict',
        fix: 'Wait for it to finish; if it died, run again with --force-unlock.',
      })
    }
    await host.run(dockerArgv.removeContainers([existing.Id]))
    await create()
  }
  return async () => {
    await host.tryRun(dockerArgv.removeContainers([name]))
  }
}
