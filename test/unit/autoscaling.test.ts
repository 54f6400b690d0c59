import { describe, expect, it } from 'vitest'
import { controllerPolicy, evaluatePolicy as evaluate, type ControllerState } from '../../src/autoscaling/policy.js'
import { observationFrom } from '../../src/autoscaling/provider-port.js'
import { renderComposeService, renderSystemdUnit } from '../../src/autoscaling/service-unit.js'
import type { Autoscale } from '../../src/manifest/schema.js'

const fresh: ControllerState = { recommendations: [] }
/** The controller runs the normalised policy, as the docker compiler writes it. */
const evaluatePolicy = (service: string, policy: Autoscale, ...rest: [number, Parameters<typeof evaluate>[3], ControllerState, number]) => evaluate(service, controllerPolicy(policy), ...rest)
const cpu60: Autoscale = { min: 1, max: 6, target: { cpu: 60 } }

describe('target tracking', () => {
  it('scales out in proportion to the load', () => {
    const { decision } = evaluatePolicy('web', cpu60, 2, { cpu: 90 }, fresh, 0)
    expect(decision).toMatchObject({ current: 2, desired: 3, action: 'scale-out' })
    expect(decision.reason).toBe('cpu 90% vs target 60%')
  })

  it('holds within the tolerance and clamps to min and max', () => {
    expect(evaluatePolicy('web', cpu60, 2, { cpu: 63 }, fresh, 0).decision.action).toBe('hold')
    const high = evaluatePolicy('web', cpu60, 4, { cpu: 100 }, fresh, 0).decision
    expect(high).toMatchObject({ desired: 6 })
    expect(high.reason).toContain('clamped to 1..6')
    expect(evaluatePolicy('web', cpu60, 3, { cpu: 1 }, fresh, 0).decision).toMatchObject({ desired: 1, action: 'scale-in' })
  })

  it('tracks requests per replica', () => {
    const policy: Autoscale = { min: 1, max: 10, target: { requests: 100 } }
    expect(evaluatePolicy('web', policy, 2, { requests: 500 }, fresh, 0).decision.desired).toBe(5)
  })

  it('holds with no metrics', () => {
    expect(evaluatePolicy('web', cpu60, 2, {}, fresh, 0).decision).toMatchObject({ action: 'hold', reason: 'no metrics to act on' })
  })
})

describe('step rules', () => {
  const policy: Autoscale = { min: 1, max: 5, steps: [{ metric: 'cpu', above: 80, change: 2 }, { metric: 'cpu', below: 20, change: -1 }] }
  it('adds and removes replicas by the step that matches', () => {
    expect(evaluatePolicy('web', policy, 2, { cpu: 85 }, fresh, 0).decision).toMatchObject({ desired: 4, reason: 'step: cpu 85 > 80, change +2' })
    expect(evaluatePolicy('web', policy, 2, { cpu: 10 }, fresh, 0).decision).toMatchObject({ desired: 1 })
    expect(evaluatePolicy('web', policy, 2, { cpu: 50 }, fresh, 0).decision.action).toBe('hold')
  })
})

describe('cooldown and stabilisation', () => {
  it('waits out the cooldown after a change', () => {
    const policy: Autoscale = { ...cpu60, cooldown: '60s' }
    const first = evaluatePolicy('web', policy, 1, { cpu: 100 }, fresh, 0)
    expect(first.decision.desired).toBe(2)
    const second = evaluatePolicy('web', policy, 2, { cpu: 100 }, first.state, 30_000)
    expect(second.decision).toMatchObject({ desired: 2, action: 'hold' })
    expect(second.decision.reason).toContain('cooldown: 30s left')
    expect(evaluatePolicy('web', policy, 2, { cpu: 100 }, second.state, 61_000).decision.desired).toBe(4)
  })

  it('scales in only when the whole window agrees (no flapping)', () => {
    const policy: Autoscale = { ...cpu60, stabilization: '5m' }
    let state = evaluatePolicy('web', policy, 4, { cpu: 60 }, fresh, 0).state
    const dip = evaluatePolicy('web', policy, 4, { cpu: 10 }, state, 60_000)
    expect(dip.decision).toMatchObject({ desired: 4, action: 'hold' })
    expect(dip.decision.reason).toContain('stabilisation window 5m holds 4')
    state = dip.state
    const later = evaluatePolicy('web', policy, 4, { cpu: 10 }, state, 301_000)
    expect(later.decision).toMatchObject({ desired: 1, action: 'scale-in' })
  })
})

describe('scale-in limit', () => {
  it('removes at most the limit within the window, taking a sharp drop in slices', () => {
    const policy: Autoscale = { min: 1, max: 10, target: { cpu: 50 }, scaleInLimit: { replicas: 2, window: '2m' } }
    const first = evaluatePolicy('web', policy, 8, { cpu: 5 }, fresh, 0)
    expect(first.decision).toMatchObject({ current: 8, desired: 6, action: 'scale-in' })
    expect(first.decision.reason).toContain('scale-in limit: at most 2 per 2m, 2 left now')
    const soon = evaluatePolicy('web', policy, 6, { cpu: 5 }, first.state, 60_000)
    expect(soon.decision).toMatchObject({ desired: 6, action: 'hold' })
    const later = evaluatePolicy('web', policy, 6, { cpu: 5 }, soon.state, 121_000)
    expect(later.decision).toMatchObject({ desired: 4, action: 'scale-in' })
    // scaling out is never limited
    expect(evaluatePolicy('web', policy, 4, { cpu: 100 }, later.state, 122_000).decision.desired).toBe(8)
  })
})

describe('the controller port', () => {
  it('turns samples into an observation', () => {
    expect(observationFrom([{ at: '', metric: 'cpu', value: 42 }, { at: '', metric: 'memory', value: 10 }])).toEqual({ cpu: 42, memory: 10 })
  })
})

describe('running the controller permanently', () => {
  it('renders a systemd unit and a compose service', () => {
    const install = { projectDir: '/srv/shop', strato: '/usr/local/bin/strato', project: 'shop', intervalSeconds: 30 }
    const unit = renderSystemdUnit(install)
    expect(unit).toContain('ExecStart=/usr/local/bin/strato autoscale run --interval 30')
    expect(unit).toContain('WorkingDirectory=/srv/shop')
    expect(renderComposeService({ ...install, image: 'local/strato:1' })).toContain('      - /var/run/docker.sock:/var/run/docker.sock')
  })
})
