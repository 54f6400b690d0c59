// The hybrid controller: one decision per service placed across targets, driven through fake ports.
import { describe, expect, it } from 'vitest'
import { combineObservations, decideService } from '../../src/autoscaling/hybrid.js'
import { failedRunCode, renderDecision, runHybridController, type RecordedDecision, type TargetPort } from '../../src/autoscaling/hybrid-controller.js'
import { controllerPolicy } from '../../src/autoscaling/policy.js'
import { nativePort } from '../../src/autoscaling/provider-port.js'
import { controlledServices } from '../../src/autoscaling/targets.js'
import type { Observation } from '../../src/autoscaling/policy.js'
import { UserError } from '../../src/errors.js'
import { silentProgress, type Action, type Resource } from '../../src/model.js'
import type { Autoscale } from '../../src/manifest/schema.js'
import type { PlacementSlot } from '../../src/placement.js'

const slots: PlacementSlot[] = [{ target: 'onprem', max: 6 }, { target: 'aws', max: 20 }]
const cpu60: Autoscale = { min: 1, max: 26, target: { cpu: 60 } }

/** A target in memory: its replicas, the CPU it reports, and every call made to it. */
class FakeTarget implements TargetPort {
  calls: string[] = []
  failRead?: Error
  failScale?: Error
  constructor(public name: string, public count: number, public cpu: number, private readonly log: string[] = []) {}
  async replicas(): Promise<number> {
    if (this.failRead) throw this.failRead
    return this.count
  }
  async observe(): Promise<Observation> {
    if (this.failRead) throw this.failRead
    return { cpu: this.cpu }
  }
  async scale(_service: string, replicas: number): Promise<void> {
    this.log.push(`${this.name} ${this.count}->${replicas}`)
    if (this.failScale) throw this.failScale
    this.count = replicas
  }
}

function decide(policy: Autoscale, readings: Parameters<typeof decideService>[0]['readings'], now = 0) {
  return decideService({ service: 'orders', policy: controllerPolicy(policy), slots, readings, state: { recommendations: [] }, now }).decision
}

describe('one decision per service, placed across targets', () => {
  it('fills on-prem up to its max and overflows to the cloud', () => {
    const decision = decide(cpu60, [{ target: 'onprem', replicas: 6, observed: { cpu: 84 } }, { target: 'aws', replicas: 0, observed: {} }])
    expect(decision.summary).toBe('orders 6 -> 9: cpu 84% vs target 60%; onprem full at 6, aws 0 -> 3')
    expect(decision.targets).toEqual([
      { target: 'onprem', from: 6, to: 6, action: 'hold', reason: 'full at 6 (placement max 6)', full: true },
      { target: 'aws', from: 0, to: 3, action: 'scale-out', reason: '0 -> 3: overflow: onprem full at 6', full: false },
    ])
  })

  it('fills an emptier on-prem before touching the cloud', () => {
    const decision = decide(cpu60, [{ target: 'onprem', replicas: 2, observed: { cpu: 90 } }, { target: 'aws', replicas: 0, observed: {} }])
    expect(decision.summary).toBe('orders 2 -> 3: cpu 90% vs target 60%; onprem 2 -> 3')
    expect(decision.targets.map((entry) => [entry.target, entry.to])).toEqual([['onprem', 3], ['aws', 0]])
  })

  it('overflows through every full target in order', () => {
    const three: PlacementSlot[] = [{ target: 'onprem', max: 2 }, { target: 'aws', max: 3 }, { target: 'gcp' }]
    const { decision } = decideService({ service: 'orders', policy: controllerPolicy(cpu60), slots: three, readings: [
      { target: 'onprem', replicas: 2, observed: { cpu: 100 } },
      { target: 'aws', replicas: 1, observed: { cpu: 100 } },
      { target: 'gcp', replicas: 0, observed: {} },
    ], state: { recommendations: [] }, now: 0 })
    expect(decision.desired).toBe(5)
    expect(decision.summary).toBe('orders 3 -> 5: cpu 100% vs target 60%; onprem full at 2, aws 1 -> 3')
    const six = decideService({ service: 'orders', policy: controllerPolicy(cpu60), slots: three, readings: [
      { target: 'onprem', replicas: 2, observed: { cpu: 100 } },
      { target: 'aws', replicas: 3, observed: { cpu: 100 } },
      { target: 'gcp', replicas: 0, observed: {} },
    ], state: { recommendations: [] }, now: 0 }).decision
    expect(six.targets.map((entry) => entry.reason)).toEqual(['full at 2 (placement max 2)', 'full at 3 (placement max 3)', '0 -> 4: overflow: onprem full at 2, aws full at 3'])
  })

  it('drains the last-filled target first and on-prem last', () => {
    const some = decide(cpu60, [{ target: 'onprem', replicas: 6, observed: { cpu: 35 } }, { target: 'aws', replicas: 6, observed: { cpu: 35 } }])
    expect(some.desired).toBe(7)
    expect(some.summary).toBe('orders 12 -> 7: cpu 35% vs target 60%; onprem full at 6, aws 6 -> 1')
    const all = decide(cpu60, [{ target: 'onprem', replicas: 6, observed: { cpu: 20 } }, { target: 'aws', replicas: 3, observed: { cpu: 20 } }])
    expect(all.targets.map((entry) => [entry.target, entry.from, entry.to, entry.action])).toEqual([['onprem', 6, 3, 'scale-in'], ['aws', 3, 0, 'scale-in']])
    expect(all.targets[1].reason).toBe('3 -> 0: drained first: filled last')
    expect(all.targets[0].reason).toBe('6 -> 3: drained before earlier targets: filled later')
  })

  it('combines the metric over targets weighted by their replicas', () => {
    expect(combineObservations([
      { target: 'onprem', replicas: 6, observed: { cpu: 90, requests: 600 } },
      { target: 'aws', replicas: 3, observed: { cpu: 30, requests: 90 } },
      { target: 'gcp', replicas: 0, observed: { cpu: 0 } },
    ])).toEqual({ cpu: 70, requests: 690 })
    const decision = decide(cpu60, [{ target: 'onprem', replicas: 6, observed: { cpu: 90 } }, { target: 'aws', replicas: 3, observed: { cpu: 30 } }])
    expect(decision.observed).toEqual({ cpu: 70 })
    expect(decision.reason).toBe('cpu 70% vs target 60%')
    expect(decision.desired).toBe(11)
  })

  it('never places beyond the placement maxes and says so', () => {
    const decision = decide({ min: 1, max: 40, target: { cpu: 60 } }, [{ target: 'onprem', replicas: 6, observed: { cpu: 100 } }, { target: 'aws', replicas: 18, observed: { cpu: 100 } }])
    expect(decision.desired).toBe(26)
    expect(decision.reason).toBe('cpu 100% vs target 60%; clamped to 1..26; placement holds at most 26 on onprem + aws')
  })

  it('applies the scale-in limit to the whole service, draining the cloud first', () => {
    const policy: Autoscale = { ...cpu60, scaleInLimit: { replicas: 4, window: '5m' } }
    const decision = decide(policy, [{ target: 'onprem', replicas: 6, observed: { cpu: 5 } }, { target: 'aws', replicas: 6, observed: { cpu: 5 } }])
    expect(decision.desired).toBe(8)
    expect(decision.summary).toBe('orders 12 -> 8: cpu 5% vs target 60%; scale-in limit: at most 4 per 5m, 4 left now; onprem full at 6, aws 6 -> 2')
  })

  it('skips a target that cannot be read and overflows past it', () => {
    const three: PlacementSlot[] = [{ target: 'onprem', max: 2 }, { target: 'aws', max: 3 }, { target: 'gcp' }]
    const { decision } = decideService({ service: 'orders', policy: controllerPolicy(cpu60), slots: three, readings: [
      { target: 'onprem', replicas: 2, observed: { cpu: 90 } },
      { target: 'aws', error: 'credentials refused' },
      { target: 'gcp', replicas: 0, observed: {} },
    ], state: { recommendations: [] }, now: 0 })
    expect(decision.summary).toBe('orders 2 -> 3: cpu 90% vs target 60%; onprem full at 2, aws unreachable, gcp 0 -> 1')
    expect(decision.targets[1]).toEqual({ target: 'aws', action: 'skipped', reason: 'could not be read (credentials refused); left as it is, the other targets still scale', error: 'credentials refused' })
  })

  it('holds when no target answers', () => {
    const decision = decide(cpu60, [{ target: 'onprem', error: 'engine down' }, { target: 'aws', error: 'timeout' }])
    expect(decision).toMatchObject({ action: 'hold', current: 0, desired: 0, summary: 'orders: no target answered; onprem unreachable, aws unreachable' })
  })

  it('moves replicas back on-prem when it has room again, without a scale event', () => {
    const { decision, state } = decideService({ service: 'orders', policy: controllerPolicy(cpu60), slots, readings: [
      { target: 'onprem', replicas: 3, observed: { cpu: 60 } },
      { target: 'aws', replicas: 3, observed: { cpu: 60 } },
    ], state: { recommendations: [] }, now: 0 })
    expect(decision.action).toBe('hold')
    expect(decision.targets.map((entry) => [entry.target, entry.to, entry.reason])).toEqual([
      ['onprem', 6, '3 -> 6: moved back here: earlier in placement order; full at 6'],
      ['aws', 0, '3 -> 0: moved to earlier targets in placement order'],
    ])
    expect(state.lastScaleAt).toBeUndefined()
  })
})

describe('the hybrid controller loop', () => {
  function controller(targets: FakeTarget[], policy: Autoscale, rounds: number, clock = { now: 0 }) {
    const logged: RecordedDecision[] = []
    const run = runHybridController({
      services: { orders: { policy: controllerPolicy(policy), slots } },
      ports: Object.fromEntries(targets.map((target) => [target.name, target])),
      now: () => clock.now,
      sleep: async (ms) => { clock.now += ms },
      log: (decision) => logged.push(decision),
      intervalMs: 15_000,
      rounds,
    })
    return { run, logged }
  }

  it('overflows to the cloud under load and drains it first when the load passes', async () => {
    const onprem = new FakeTarget('onprem', 4, 90)
    const aws = new FakeTarget('aws', 0, 0)
    const first = await controller([onprem, aws], cpu60, 1).run
    expect([onprem.count, aws.count]).toEqual([6, 0])
    expect(first.decisions[0].summary).toBe('orders 4 -> 6: cpu 90% vs target 60%; onprem 4 -> 6')
    onprem.cpu = 95
    await controller([onprem, aws], cpu60, 1).run
    expect([onprem.count, aws.count]).toEqual([6, 4])
    onprem.cpu = 30
    aws.cpu = 30
    const calm = await controller([onprem, aws], cpu60, 1).run
    expect([onprem.count, aws.count]).toEqual([5, 0])
    expect(calm.decisions[0].summary).toBe('orders 10 -> 5: cpu 30% vs target 60%; onprem 6 -> 5, aws 4 -> 0')
    expect(calm.failed).toEqual([])
  })

  it('prints a decision as its summary and one line per target', async () => {
    const { run } = controller([new FakeTarget('onprem', 6, 84), new FakeTarget('aws', 0, 0)], cpu60, 1)
    const [decision] = (await run).decisions
    expect(renderDecision(decision)).toBe([
      '1970-01-01T00:00:00.000Z orders 6 -> 9: cpu 84% vs target 60%; onprem full at 6, aws 0 -> 3',
      '  onprem  6         hold       full at 6 (placement max 6)',
      '  aws     0 -> 3    scale-out  0 -> 3: overflow: onprem full at 6',
    ].join('\n'))
  })

  it('waits out one cooldown for the whole service, whichever target moved', async () => {
    const onprem = new FakeTarget('onprem', 6, 90)
    const aws = new FakeTarget('aws', 0, 90)
    const { run, logged } = controller([onprem, aws], { ...cpu60, cooldown: '60s' }, 4)
    await run
    // rounds at 0 s, 15 s, 30 s, 45 s: one scale-out, then the cooldown holds both targets
    expect(logged.map((decision) => decision.action)).toEqual(['scale-out', 'hold', 'hold', 'hold'])
    expect(logged[1].reason).toBe('cpu 90% vs target 60%; cooldown: 45s left')
    expect([onprem.count, aws.count]).toEqual([6, 3])
  })

  it('keeps the cloud replicas through a short dip (stabilisation window)', async () => {
    const onprem = new FakeTarget('onprem', 6, 60)
    const aws = new FakeTarget('aws', 3, 60)
    const clock = { now: 0 }
    const logged: RecordedDecision[] = []
    const loads = [60, 20, 20, 60, 20]
    let round = 0
    await runHybridController({
      services: { orders: { policy: controllerPolicy({ ...cpu60, stabilization: '2m' }), slots } },
      ports: { onprem, aws },
      now: () => clock.now,
      sleep: async (ms) => {
        clock.now += ms
        onprem.cpu = aws.cpu = loads[++round] ?? 20
      },
      log: (decision) => logged.push(decision),
      intervalMs: 30_000,
      rounds: 10,
    })
    const counts = logged.map((decision) => decision.desired)
    // the dips at 30 s and 60 s and 120 s stay within the 2-minute window of the 60% reading at 90 s;
    // only once 2 minutes pass without one does the service scale in, cloud first
    expect(counts.slice(0, 7)).toEqual([9, 9, 9, 9, 9, 9, 9])
    expect(counts[7]).toBeLessThan(9)
    expect(logged[1].reason).toContain('stabilisation window 2m holds 9')
    expect(aws.count).toBeLessThan(3)
  })

  it('keeps scaling the other targets when one refuses, and reports it', async () => {
    const onprem = new FakeTarget('onprem', 4, 95)
    const aws = new FakeTarget('aws', 0, 0)
    aws.failScale = new UserError('The Auto Scaling group refused: instance quota reached.', { code: 'denied', fix: 'Raise the quota.' })
    const { run } = controller([onprem, aws], { ...cpu60, min: 1 }, 1)
    onprem.cpu = 100
    onprem.count = 6
    const result = await run
    expect(onprem.count).toBe(6)
    expect(result.decisions[0].summary).toBe('orders 6 -> 10: cpu 100% vs target 60%; onprem full at 6, aws 0 -> 4; aws failed: The Auto Scaling group refused: instance quota reached.')
    expect(result.failed).toEqual([expect.objectContaining({ target: 'aws', error: 'The Auto Scaling group refused: instance quota reached.', code: 'denied' })])
    expect(failedRunCode(result.failed)).toBe('denied')
  })

  it('reads a failing target as unreachable and scales the others', async () => {
    const log: string[] = []
    const onprem = new FakeTarget('onprem', 2, 90, log)
    const aws = new FakeTarget('aws', 1, 90, log)
    aws.failRead = new UserError('Cannot reach the AWS endpoint.', { code: 'unreachable' })
    const result = await controller([onprem, aws], cpu60, 1).run
    expect(log).toEqual(['onprem 2->3'])
    expect(result.decisions[0].targets[1]).toMatchObject({ target: 'aws', action: 'skipped', error: 'Cannot reach the AWS endpoint.', code: 'unreachable' })
    expect(failedRunCode(result.failed)).toBe('unreachable')
    expect(failedRunCode([...result.failed, { target: 'x', action: 'scale-out', reason: '', error: 'boom' }])).toBe('failure')
    expect(failedRunCode([])).toBeUndefined()
  })

  it('adds capacity before removing it, and keeps it when the addition fails', async () => {
    const log: string[] = []
    const onprem = new FakeTarget('onprem', 3, 60, log)
    const aws = new FakeTarget('aws', 3, 60, log)
    await controller([onprem, aws], cpu60, 1).run
    expect(log).toEqual(['onprem 3->6', 'aws 3->0'])

    log.length = 0
    const again = [new FakeTarget('onprem', 3, 60, log), new FakeTarget('aws', 3, 60, log)]
    again[0].failScale = new Error('engine timeout')
    const result = await controller(again, cpu60, 1).run
    expect(log).toEqual(['onprem 3->6'])
    expect(again[1].count).toBe(3)
    expect(result.decisions[0].targets[1]).toMatchObject({ action: 'hold', to: 3 })
    expect(result.decisions[0].summary).toMatch(/; onprem failed: engine timeout; 1 scale-in held$/)
  })
})

describe('a target with a native autoscaler under the hybrid controller', () => {
  /** A cloud group in memory: its bounds, its capacity, and every call in order. */
  function fakeGroup(count: number, cpu = 90) {
    const calls: string[] = []
    const group = { min: 1, max: 20, count }
    const target = {
      inventory: async (): Promise<Resource[]> => Array.from({ length: group.count }, (_, index) => ({ id: `i-${index}`, kind: 'instance', target: 'aws', service: 'orders', state: 'running', labels: {} })),
      metrics: async () => [{ at: '', metric: 'cpu' as const, value: cpu }],
      scale: async (_service: string, replicas: number) => {
        if (replicas < group.min || replicas > group.max) throw new Error(`outside ${group.min}..${group.max}`)
        calls.push(`scale ${replicas}`)
        group.count = replicas
      },
      apply: async (actions: Action[]) => {
        calls.push(actions.map((action) => `${action.kind} ${action.to} at ${action.toVersion}`).join(', '))
        group.count = actions[0].to!
      },
      applyAutoscaling: async (_service: string, policy: Autoscale) => {
        calls.push(`bounds ${policy.min}..${policy.max}`)
        Object.assign(group, { min: policy.min, max: policy.max, count: Math.min(policy.max, Math.max(policy.min, group.count)) })
      },
    }
    return { calls, group, target }
  }

  it('pins the bounds at the count strato places, before it sets the capacity', async () => {
    const { calls, group, target } = fakeGroup(2)
    const port = nativePort(target, { project: 'shop', target: 'aws', windowSeconds: 60, versions: { orders: 'o1' }, progress: silentProgress }, { orders: cpu60 })
    expect(await port.replicas('orders')).toBe(2)
    await port.scale('orders', 5)
    expect(calls).toEqual(['bounds 5..5', 'scale 5'])
    expect(group).toEqual({ min: 5, max: 5, count: 5 })
    await port.hold!('orders', 5)
    expect(calls.at(-1)).toBe('bounds 5..5')
  })

  it('creates the service where none of it runs yet, then pins it', async () => {
    const { calls, group, target } = fakeGroup(0)
    const port = nativePort(target, { project: 'shop', target: 'aws', windowSeconds: 60, versions: { orders: 'o1' }, progress: silentProgress }, { orders: cpu60 })
    await port.scale('orders', 2)
    expect(calls).toEqual(['create 2 at o1', 'bounds 2..2'])
    expect(group).toEqual({ min: 2, max: 2, count: 2 })
  })

  it('keeps a native target pinned while it holds, and reports a pin that fails', async () => {
    const onprem = new FakeTarget('onprem', 6, 60)
    const { calls, target } = fakeGroup(3, 60)
    const aws = nativePort(target, { project: 'shop', target: 'aws', windowSeconds: 60, versions: { orders: 'o1' }, progress: silentProgress }, { orders: cpu60 })
    const result = await runHybridController({
      services: { orders: { policy: controllerPolicy(cpu60), slots } }, ports: { onprem, aws }, now: () => 0, sleep: async () => {}, log: () => {}, intervalMs: 1, rounds: 1,
    })
    expect(result.decisions[0].summary).toBe('orders 9 -> 9: cpu 60% is within 10% of target 60%; onprem full at 6, aws 3')
    expect(calls).toEqual(['bounds 3..3'])
    const failing = { ...aws, hold: async () => { throw new UserError('Credentials were refused.', { code: 'denied' }) } }
    const held = await runHybridController({
      services: { orders: { policy: controllerPolicy(cpu60), slots } }, ports: { onprem, aws: failing }, now: () => 0, sleep: async () => {}, log: () => {}, intervalMs: 1, rounds: 1,
    })
    expect(held.failed).toEqual([expect.objectContaining({ target: 'aws', action: 'hold', code: 'denied', reason: 'keeps 3; failed to keep it: Credentials were refused.' })])
    expect(held.decisions[0].summary).toBe('orders 9 -> 9: cpu 60% is within 10% of target 60%; onprem full at 6, aws 3; aws failed: Credentials were refused.')
  })
})

describe('which services autoscale run drives', () => {
  const manifest = {
    name: 'shop',
    services: {
      orders: { image: 'o', autoscale: { min: 1, max: 9, target: { cpu: 60 } } },
      search: { image: 's', targets: ['aws'], autoscale: { min: 1, max: 4, target: { cpu: 60 } } },
      users: { image: 'u' },
    },
    targets: { onprem: { provider: 'docker' as const }, aws: { provider: 'aws' as const, region: 'eu-west-1' } },
    placement: [{ target: 'onprem', max: 3 }, { target: 'aws', max: 6 }],
  }
  const driverOf = (target: string) => (target === 'aws' ? 'native' as const : 'controller' as const)

  it('takes a service across on-prem and cloud, and leaves a cloud-only one to its native autoscaler', () => {
    const { services, leftToNative } = controlledServices(manifest, undefined, driverOf)
    expect(Object.keys(services)).toEqual(['orders'])
    expect(services.orders.slots).toEqual([{ target: 'onprem', max: 3 }, { target: 'aws', max: 6 }])
    expect(leftToNative).toEqual(['search'])
    expect(controlledServices(manifest, 'aws', driverOf).services.orders.slots).toEqual([{ target: 'aws', max: 6 }])
  })
})
