import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { silentProgress } from '../../src/model.js'
import { rollOut, type RolloutOps, type TemplateRef } from '../../providers/aws/rollout.js'

/** A group in memory: new instances start on the current template and turn healthy if the template is good. */
function fakeGroup(initial: number, healthy: (template: TemplateRef) => boolean) {
  let clock = 0
  let next = 1
  let template: TemplateRef = { id: 'lt-old', version: '1' }
  let members = Array.from({ length: initial }, () => ({ id: `i-${next++}`, template, started: 0 }))
  const log: string[] = []
  const ops: RolloutOps = {
    instances: async () => members.map((m) => ({ id: m.id, inService: clock - m.started >= 10 })),
    health: async () => new Map(members.map((m) => [m.id, clock - m.started >= 10 && healthy(m.template) ? 'healthy' : 'unhealthy'])),
    setTemplate: async (ref) => { template = ref; log.push(`template ${ref.id}`) },
    setSize: async ({ desired, max }) => {
      log.push(`size ${desired}/${max}`)
      while (members.length < desired) members.push({ id: `i-${next++}`, template, started: clock })
    },
    terminate: async (ids) => { members = members.filter((m) => !ids.includes(m.id)); log.push(`terminate ${ids.join(',')}`) },
    sleep: async (ms) => { clock += ms },
    now: () => clock,
  }
  return { ops, log, members: () => members, template: () => template }
}

const input = { service: 'users', fromTemplate: { id: 'lt-old', version: '1' }, toTemplate: { id: 'lt-new', version: '1' }, desired: 2, max: 4, timeoutMs: 100, pollMs: 5 }

describe('aws health-gated rollout', () => {
  it('starts new instances next to the old, waits until healthy, then removes the old', async () => {
    const group = fakeGroup(2, () => true)
    const outcome = await rollOut(group.ops, input, silentProgress)
    expect(outcome.replaced).toEqual(['i-1', 'i-2'])
    expect(outcome.added).toEqual(['i-3', 'i-4'])
    expect(group.members().map((m) => [m.id, m.template.id])).toEqual([['i-3', 'lt-new'], ['i-4', 'lt-new']])
    expect(group.log).toEqual(['template lt-new', 'size 4/4', 'terminate i-1,i-2', 'size 2/4'])
  })

  it('rolls back when the new instances never become healthy', async () => {
    const group = fakeGroup(2, (template) => template.id === 'lt-old')
    const error = await rollOut(group.ops, input, silentProgress).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).message).toBe('The rollout of users failed its health check and was rolled back to the previous version.')
    expect(group.template().id).toBe('lt-old')
    expect(group.members().map((m) => m.id)).toEqual(['i-1', 'i-2'])
    expect(group.log).toEqual(['template lt-new', 'size 4/4', 'template lt-old', 'terminate i-3,i-4', 'size 2/4'])
  })

  it('only switches the template of an empty group', async () => {
    const group = fakeGroup(0, () => true)
    await rollOut(group.ops, { ...input, desired: 0 }, silentProgress)
    expect(group.log).toEqual(['template lt-new'])
  })
})
