/**
 * A health-gated replacement inside one Auto Scaling group (what an instance
 * refresh does, with a rollback strato controls): point the group at the new
 * launch template, add as many new instances as there are old ones, wait
 * until every new one is InService and healthy behind the load balancer, then
 * terminate the old ones. If the new ones do not become healthy in time, the
 * group goes back to the old template and the new instances are terminated.
 */
import { UserError } from '../../src/errors.js'
import type { Progress } from '../../src/model.js'

export interface RolloutInstance { id: string; inService: boolean }
export interface TemplateRef { id: string; version: string }

/** What a rollout needs from the cloud; the provider passes the real calls, tests pass a fake. */
export interface RolloutOps {
  instances(): Promise<RolloutInstance[]>
  /** target-group health by instance id: healthy, initial, unhealthy, unused... */
  health(): Promise<Map<string, string>>
  setTemplate(template: TemplateRef): Promise<void>
  setSize(size: { max: number; desired: number }): Promise<void>
  terminate(ids: string[]): Promise<void>
  sleep(ms: number): Promise<void>
  now(): number
}

export interface RolloutInput {
  service: string
  fromTemplate: TemplateRef
  toTemplate: TemplateRef
  desired: number
  max: number
  timeoutMs: number
  pollMs: number
}

export type RolloutOutcome = { status: 'replaced'; replaced: string[]; added: string[] }

export async function rollOut(ops: RolloutOps, input: RolloutInput, progress: Progress): Promise<RolloutOutcome> {
  const old = (await ops.instances()).map((instance) => instance.id)
  await ops.setTemplate(input.toTemplate)
  if (old.length === 0 || input.desired === 0) return { status: 'replaced', replaced: [], added: [] }

  const surge = old.length
  progress.step(`${input.service}: starting ${surge} new instance(s) next to the ${old.length} running`)
  await ops.setSize({ max: Math.max(input.max, input.desired + surge), desired: input.desired + surge })

  const deadline = ops.now() + input.timeoutMs
  let added: string[] = []
  for (;;) {
    const current = await ops.instances()
    added = current.filter((instance) => !old.includes(instance.id)).map((instance) => instance.id)
    const health = await ops.health()
    const ready = current.filter((instance) => added.includes(instance.id) && instance.inService && health.get(instance.id) === 'healthy')
    if (added.length >= surge && ready.length >= surge) break
    if (ops.now() >= deadline) {
      progress.warn(`${input.service}: ${ready.length} of ${surge} new instance(s) healthy after ${Math.round(input.timeoutMs / 1000)}s; rolling back`)
      await ops.setTemplate(input.fromTemplate)
      await ops.terminate(added)
      await ops.setSize({ max: input.max, desired: input.desired })
      throw new UserError(`The rollout of ${input.service} failed its health check and was rolled back to the previous version.`, {
        code: 'failure',
        fix: 'Check that the image starts and answers the health path on the service port (the target group shows why targets are unhealthy), then deploy again.',
      })
    }
    await ops.sleep(input.pollMs)
  }
  progress.step(`${input.service}: new instances healthy; terminating ${old.length} old instance(s)`)
  await ops.terminate(old)
  await ops.setSize({ max: input.max, desired: input.desired })
  return { status: 'replaced', replaced: old, added }
}
