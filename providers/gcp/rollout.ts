/**
 * A health-gated version change of a regional managed instance group. The
 * group is pointed at the new template (its update policy surges new
 * instances beside the old ones and removes none until enough new ones are
 * ready); strato then waits until the group is stable, its version target
 * reached and every instance HEALTHY on the new template. If that does not
 * happen within the health timeout, the group goes back to the previous
 * template, the old instances keep serving, and the rollout fails (exit 1)
 * with the reason. The operations are passed in, so tests drive every branch.
 */
import { UserError } from '../../src/errors.js'
import type { Progress } from '../../src/model.js'
import { rolloutDone, type GroupState, type MemberState } from './group-state.js'

export interface RolloutOps {
  read(): Promise<{ group: GroupState; members: MemberState[] }>
  /** points the group at a template (and a size), returning when the API has accepted it */
  setTemplate(template: string, targetSize?: number): Promise<void>
  sleep(ms: number): Promise<void>
  now(): number
}

export interface RolloutInput {
  service: string
  fromTemplate?: string
  toTemplate: string
  targetSize: number
  timeoutMs: number
  pollMs: number
}

export interface RolloutOutcome { template: string; instances: number }

/** Waits until the group runs `template` settled and healthy, or the deadline passes; returns the last reading. */
export async function waitSettled(ops: RolloutOps, template: string, deadline: number, pollMs: number): Promise<{ done: boolean; group: GroupState; members: MemberState[] }> {
  for (;;) {
    const { group, members } = await ops.read()
    if (rolloutDone(group, members, template)) return { done: true, group, members }
    if (ops.now() >= deadline) return { done: false, group, members }
    await ops.sleep(pollMs)
  }
}

/** Why a group has not settled on a template, in words for the error. */
export function unsettledReason(group: GroupState, members: MemberState[], template: string): string {
  const onTemplate = members.filter((member) => member.template === template)
  const unhealthy = onTemplate.filter((member) => member.health === 'unhealthy').length
  const healthy = onTemplate.filter((member) => member.health === 'healthy' && member.action === 'NONE').length
  const parts = [`${healthy} of ${group.targetSize} new instance(s) healthy`]
  if (unhealthy) parts.push(`${unhealthy} failing the health check`)
  if (!group.stable) parts.push('the group was still changing')
  return parts.join(', ')
}

export async function rollOut(ops: RolloutOps, input: RolloutInput, progress: Progress): Promise<RolloutOutcome> {
  progress.step(`${input.service}: rolling out ${input.toTemplate} to ${input.targetSize} instance(s)`)
  await ops.setTemplate(input.toTemplate, input.targetSize)
  const deadline = ops.now() + input.timeoutMs
  const result = await waitSettled(ops, input.toTemplate, deadline, input.pollMs)
  if (result.done) {
    progress.done(`${input.service}: ${input.targetSize} instance(s) healthy on ${input.toTemplate}`)
    return { template: input.toTemplate, instances: result.members.length }
  }
  const reason = unsettledReason(result.group, result.members, input.toTemplate)
  if (!input.fromTemplate) {
    throw new UserError(`The instances of ${input.service} did not become healthy within ${Math.round(input.timeoutMs / 1000)}s (${reason}).`, {
      code: 'failure',
      fix: 'Check that the image starts and answers the health path on the service port (the instances\' serial console shows the startup script), then deploy again.',
    })
  }
  progress.warn(`${input.service}: ${reason} after ${Math.round(input.timeoutMs / 1000)}s; rolling back to ${input.fromTemplate}`)
  await ops.setTemplate(input.fromTemplate)
  // the old instances kept serving; wait (bounded) for the failed ones to go, so the group is left settled
  await waitSettled(ops, input.fromTemplate, ops.now() + input.timeoutMs, input.pollMs)
  throw new UserError(`The rollout of ${input.service} failed its health check (${reason}) and was rolled back to ${input.fromTemplate}; the previous instances kept serving.`, {
    code: 'failure',
    fix: 'Check that the new image starts and answers the health path on the service port (the instances\' serial console shows the startup script), then deploy again.',
  })
}
