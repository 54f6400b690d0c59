/**
 * A health-gated rollout inside one scale set, driven by strato (upgrade
 * policy Manual): the new model is set, which running VMs do not take; as
 * many new VMs as old ones (or --surge at a time) are added on it; once the
 * added ones run the latest model and report healthy, the old ones they
 * replace are deleted. If the added VMs are not healthy in time, the old
 * model comes back, the new VMs are deleted, and the old VMs, never touched,
 * keep serving.
 */
import { UserError } from '../../src/errors.js'
import type { Progress, Resource } from '../../src/model.js'

export interface RolloutVm {
  instanceId: string
  /** runs the scale set's current model */
  latest: boolean
  state: Resource['state']
  health: NonNullable<Resource['health']>
}

/** What a rollout needs from Azure; the provider passes the real calls, tests pass a fake. */
export interface RolloutOps {
  vms(): Promise<RolloutVm[]>
  applyNewModel(): Promise<void>
  restoreOldModel(): Promise<void>
  setCapacity(capacity: number): Promise<void>
  deleteInstances(instanceIds: string[]): Promise<void>
  /** brings VMs back onto the (restored) current model */
  upgradeInstances(instanceIds: string[]): Promise<void>
  sleep(ms: number): Promise<void>
  now(): number
}

export interface RolloutInput {
  service: string
  /** the VM count wanted at the end */
  desired: number
  /** new VMs started together (default: as many as run now) */
  batch?: number
  timeoutMs: number
  pollMs: number
}

export interface RolloutOutcome { replaced: string[]; added: string[] }

/** A VM that may take traffic: running the latest model and healthy (or running, without a health extension). */
export function isReady(vm: RolloutVm): boolean {
  return vm.latest && vm.state === 'running' && (vm.health === 'healthy' || vm.health === 'none')
}

export async function rollOut(ops: RolloutOps, input: RolloutInput, progress: Progress): Promise<RolloutOutcome> {
  const old = (await ops.vms()).map((vm) => vm.instanceId)
  await ops.applyNewModel()
  if (old.length === 0) return { replaced: [], added: [] }
  const batch = Math.max(1, Math.min(input.batch ?? old.length, old.length))
  const added: string[] = []
  const replaced: string[] = []
  for (let start = 0; start < old.length; start += batch) {
    const chunk = old.slice(start, start + batch)
    const running = (await ops.vms()).length
    progress.step(`${input.service}: starting ${chunk.length} VM(s) of the new version next to the ${running} running`)
    await ops.setCapacity(running + chunk.length)
    const deadline = ops.now() + input.timeoutMs
    for (;;) {
      const fresh = (await ops.vms()).filter((vm) => !old.includes(vm.instanceId) && !added.includes(vm.instanceId))
      const ready = fresh.filter(isReady)
      if (fresh.length >= chunk.length && ready.length >= chunk.length) {
        added.push(...fresh.map((vm) => vm.instanceId))
        break
      }
      if (ops.now() >= deadline) {
        progress.warn(`${input.service}: ${ready.length} of ${chunk.length} new VM(s) healthy after ${Math.round(input.timeoutMs / 1000)}s; rolling back`)
        await rollBack(ops, old, input.desired)
        throw new UserError(`The rollout of ${input.service} failed its health check and was rolled back to the previous version.`, {
          code: 'failure',
          fix: 'Check that the image starts and answers the health path on the service port (the scale set\'s boot diagnostics show the VM\'s console), then deploy again.',
        })
      }
      await ops.sleep(input.pollMs)
    }
    progress.step(`${input.service}: new VM(s) healthy; deleting ${chunk.length} old VM(s)`)
    await ops.deleteInstances(chunk)
    replaced.push(...chunk)
  }
  return { replaced, added }
}

/** Old model back, new VMs gone, the old ones (and any replaced in earlier batches) serving again. */
async function rollBack(ops: RolloutOps, old: string[], desired: number): Promise<void> {
  await ops.restoreOldModel()
  const vms = await ops.vms()
  await ops.deleteInstances(vms.filter((vm) => !old.includes(vm.instanceId)).map((vm) => vm.instanceId))
  const survivors = vms.filter((vm) => old.includes(vm.instanceId)).map((vm) => vm.instanceId)
  await ops.upgradeInstances(survivors)
  if (survivors.length < desired) await ops.setCapacity(desired)
}
