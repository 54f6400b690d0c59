/**
 * The GCP autoscaler compiler's refusals and schedule arithmetic; its output
 * is golden-tested with every provider's (test/unit/autoscaling-golden.test.ts,
 * test/golden/autoscaling/gcp/).
 */
import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import type { Autoscale } from '../../src/manifest/schema.js'
import { compileAutoscaler, compileAutoscaling, secondsUntil } from '../../providers/gcp/autoscaling-compile.js'

function refusal(policy: Autoscale): UserError {
  try {
    compileAutoscaler(policy, 'services.users.autoscale')
  } catch (error) {
    if (error instanceof UserError) return error
    throw error
  }
  throw new Error('compiled without complaint')
}

describe('gcp autoscaler refusals', () => {
  it('refuses step rules and memory targets, naming the path', () => {
    const steps = refusal({ min: 1, max: 4, steps: [{ metric: 'cpu', above: 80, change: 1 }] })
    expect(steps.message).toBe('services.users.autoscale.steps: GCP autoscalers have no step rules.')
    expect(steps.exitCode).toBe(2)
    expect(refusal({ min: 1, max: 4, target: { memory: 70 } }).message).toMatch(/^services\.users\.autoscale\.target\.memory: /)
  })

  it('refuses a schedule that lowers the maximum or has no end', () => {
    expect(refusal({ min: 1, max: 4, schedule: [{ cron: '0 8 * * 1-5', min: 2, max: 3 }] }).message)
      .toBe('services.users.autoscale.schedule[0].max: GCP scaling schedules can only raise the minimum, not change the maximum (4).')
    const open = refusal({ min: 1, max: 4, schedule: [{ cron: '0 8 * * 1-5', min: 3 }, { cron: '0 20 * * 0', min: 1 }] })
    expect(open.message).toMatch(/^services\.users\.autoscale\.schedule\[0\]: a GCP scaling schedule needs an end/)
    expect(open.fix).toBe('Add an entry that sets min back on the same days, e.g. { cron: "0 20 * * 1-5", min: 1 }.')
  })

  it('measures schedule durations on the same days, across midnight too', () => {
    expect(secondsUntil('0 8 * * 1-5', '0 20 * * 1-5')).toBe(12 * 3600)
    expect(secondsUntil('0 22 * * *', '30 1 * * *')).toBe(3.5 * 3600)
    // 02:00 on the same Saturday is before 22:00, not after it
    expect(secondsUntil('0 22 * * 6', '0 2 * * 6')).toBeUndefined()
    expect(secondsUntil('0 8 * * 1-5', '0 20 * * 0-4')).toBeUndefined()
    expect(secondsUntil('*/5 8 * * *', '0 20 * * *')).toBeUndefined()
  })

  it('re-compiling gives the same policy (apply can compare it)', () => {
    const policy: Autoscale = { min: 2, max: 6, target: { cpu: 55 }, cooldown: '1m', stabilization: '5m' }
    expect(compileAutoscaler(policy, 'p')).toEqual(compileAutoscaler(structuredClone(policy), 'p'))
  })
  it('limits scale-in, over the longer window when stabilization asks too', () => {
    expect(compileAutoscaler({ min: 1, max: 9, target: { cpu: 50 }, scaleInLimit: { replicas: 2, window: '10m' } }, 'p').autoscalingPolicy.scaleInControl)
      .toEqual({ maxScaledInReplicas: { fixed: 2 }, timeWindowSec: 600 })
    expect(compileAutoscaler({ min: 1, max: 9, target: { cpu: 50 }, scaleInLimit: { replicas: 2, window: '5m' }, stabilization: '15m' }, 'p').autoscalingPolicy.scaleInControl)
      .toEqual({ maxScaledInReplicas: { fixed: 2 }, timeWindowSec: 900 })
  })

  it('names the autoscaler after the group it scales', () => {
    expect(compileAutoscaling({ project: 'shop', service: 'users', policy: { min: 1, max: 2, target: { cpu: 50 } } })).toMatchObject({ autoscaler: { name: 'strato-shop-users' } })
  })
})
