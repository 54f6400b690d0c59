/** The health-gated rollout against a scripted group: every branch, no network. */
import { describe, expect, it } from 'vitest'
import type { GroupState, MemberState } from '../../providers/gcp/group-state.js'
import { rollOut, type RolloutOps } from '../../providers/gcp/rollout.js'
import { UserError } from '../../src/errors.js'
import { silentProgress } from '../../src/model.js'

interface Script { healthyOn: Set<string>; settleAfterReads: number }

function scriptedGroup(script: Script) {
  let template = 'v1'
  let size = 2
  let reads = 0
  const calls: string[] = []
  let clock = 0
  const ops: RolloutOps = {
    async read() {
      reads++
      const settled = reads >= script.settleAfterReads
      const healthy = script.healthyOn.has(template)
      const group: GroupState = { name: 'g', targetSize: size, stable: settled && healthy, versionReached: settled, templates: [template] }
      const members: MemberState[] = Array.from({ length: size }, (_, index) => ({
        name: `i${index}`, zone: 'z', template: settled ? template : 'v1', action: settled && healthy ? 'NONE' : 'VERIFYING', state: 'running',
        health: settled ? (healthy ? 'healthy' : 'unhealthy') : 'healthy',
      }))
      return { group, members }
    },
    async setTemplate(next, targetSize) {
      calls.push(`set ${next}${targetSize === undefined ? '' : ` x${targetSize}`}`)
      template = next
      if (targetSize !== undefined) size = targetSize
      reads = 0
    },
    async sleep(ms) { clock += ms },
    now: () => clock,
  }
  return { ops, calls }
}

const input = { service: 'users', fromTemplate: 'v1', toTemplate: 'v2', targetSize: 2, timeoutMs: 1_000, pollMs: 100 }

describe('gcp rollout', () => {
  it('points the group at the new template and waits until it is settled and healthy', async () => {
    const { ops, calls } = scriptedGroup({ healthyOn: new Set(['v1', 'v2']), settleAfterReads: 3 })
    expect(await rollOut(ops, input, silentProgress)).toEqual({ template: 'v2', instances: 2 })
    expect(calls).toEqual(['set v2 x2'])
  })

  it('goes back to the previous template when the new one never turns healthy, and fails with the reason', async () => {
    const { ops, calls } = scriptedGroup({ healthyOn: new Set(['v1']), settleAfterReads: 1 })
    const error = await rollOut(ops, input, silentProgress).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).exitCode).toBe(1)
    expect((error as UserError).message).toBe('The rollout of users failed its health check (0 of 2 new instance(s) healthy, 2 failing the health check, the group was still changing) and was rolled back to v1; the previous instances kept serving.')
    expect(calls).toEqual(['set v2 x2', 'set v1'])
  })

  it('fails without a rollback when there was no previous version', async () => {
    const { ops, calls } = scriptedGroup({ healthyOn: new Set(), settleAfterReads: 1 })
    const error = await rollOut(ops, { ...input, fromTemplate: undefined }, silentProgress).catch((caught: unknown) => caught)
    expect((error as UserError).message).toMatch(/^The instances of users did not become healthy within 1s/)
    expect(calls).toEqual(['set v2 x2'])
  })
})
