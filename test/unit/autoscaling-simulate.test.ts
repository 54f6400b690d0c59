// The simulator: trace formats, replay through policy and placement, the comparison, the report and the chart.
import { readFileSync } from 'node:fs'
import { DOMParser } from '@xmldom/xmldom'
import { describe, expect, it } from 'vitest'
import { renderChart } from '../../src/autoscaling/chart.js'
import { chooseService, parseWarmup, renderSimulation, simulateManifest, type SimulateOptions } from '../../src/autoscaling/simulate-report.js'
import { comparisonPolicies, simulate } from '../../src/autoscaling/simulate.js'
import { k6Seconds, parseTrace, type Trace } from '../../src/autoscaling/trace.js'
import { SHIPPED_CATALOG } from '../../src/costs/catalog.js'
import { replicaRates } from '../../src/costs/replica-rates.js'
import { UserError } from '../../src/errors.js'
import { descriptorOf } from '../../providers/descriptors.js'
import { parseManifest } from '../../src/manifest/load.js'
import type { Autoscale, Manifest } from '../../src/manifest/schema.js'
import { sparkline } from '../../src/output/sparkline.js'

const fixture = (name: string) => readFileSync(new URL(`../fixtures/autoscale/${name}`, import.meta.url))

function manifestOf(text: string): Manifest {
  return parseManifest(text, 'strato.yaml').manifest
}

const hybrid = manifestOf(`name: shop
services:
  orders:
    image: local/node:24
    port: 8080
    resources: { cpu: 1, memory: 1Gi }
    autoscale: { min: 2, max: 20, target: { cpu: 60 }, stabilization: 5m }
  users:
    image: local/node:24
targets:
  onprem:
    provider: docker
    hosts: [unix:///var/run/docker.sock]
    cost: { monthly: 292, cpus: 4, memory: 16Gi }
  aws: { provider: aws, region: eu-west-1, instanceType: t3.small }
placement:
  - { target: onprem, max: 4 }
  - { target: aws, max: 16 }
`)

function thrown(run: () => unknown): UserError {
  try {
    run()
  } catch (error) {
    return error as UserError
  }
  throw new Error('expected an error')
}

describe('load traces', () => {
  it('reads "seconds,rps" lines with a header and comments', () => {
    expect(parseTrace('# a spike\nseconds,rps\n60,400\n0,50\n120,50\n', 'load.csv')).toEqual({
      format: 'seconds-rps',
      points: [{ at: 0, rps: 50 }, { at: 60, rps: 400 }, { at: 120, rps: 50 }],
      end: 180,
    })
    const bad = thrown(() => parseTrace('seconds,rps\n0,-5\n', 'load.csv'))
    expect(bad).toBeInstanceOf(UserError)
    expect(bad.exitCode).toBe(2)
    expect(bad.message).toBe('load.csv line 2: expected "seconds,rps" with numbers (rps 0 or more), got "0,-5".')
    expect(thrown(() => parseTrace('# nothing\n', 'empty.csv')).message).toBe('empty.csv holds no load: no "seconds,rps" line.')
  })

  it('counts k6 http_reqs rows per minute', () => {
    const trace = parseTrace(fixture('k6-results.csv'), 'k6-results.csv')
    // 60, 180 and 30 requests; the last minute's last request came at its 59th second
    expect(trace).toEqual({ format: 'k6-csv', points: [{ at: 0, rps: 1 }, { at: 60, rps: 3 }, { at: 120, rps: 0.508 }], end: 179 })
  })

  it('reads k6 timestamps in every K6_CSV_TIME_FORMAT', () => {
    expect([k6Seconds('1782507360'), k6Seconds('1782507360000'), k6Seconds('1782507360000000'), k6Seconds('1782507360000000000'), k6Seconds('2026-06-26T20:56:00Z')]).toEqual([1782507360, 1782507360, 1782507360, 1782507360, 1782507360])
    const csv = 'metric_name,timestamp,metric_value\nhttp_reqs,2026-06-26T20:56:00.5Z,1\nhttp_reqs,2026-06-26T20:56:30Z,1\nhttp_req_duration,2026-06-26T20:56:30Z,12\n'
    expect(parseTrace(csv, 'k6.csv').points).toEqual([{ at: 0, rps: 0.065 }])
    expect(thrown(() => parseTrace('metric_name,timestamp,metric_value\nvus,1,1\n', 'k6.csv')).message).toBe('k6.csv has no http_reqs rows: the k6 run made no HTTP request.')
    expect(thrown(() => parseTrace('metric_name,time,metric_value\nhttp_reqs,1,1\n', 'k6.csv')).message).toBe('k6.csv looks like a k6 CSV output but has no "timestamp" column.')
  })

  it('takes Locust\'s Aggregated running count per minute', () => {
    const trace = parseTrace(fixture('locust_stats_history.csv'), 'locust_stats_history.csv')
    expect(trace).toEqual({ format: 'locust-history', points: [{ at: 0, rps: 1.967 }, { at: 60, rps: 6 }, { at: 120, rps: 4 }], end: 180 })
    // a reset of Locust's stats starts the running count again: 30 + 6 + 14 requests in 60 s
    const header = 'Timestamp,User Count,Type,Name,Requests/s,Failures/s,Total Request Count\n'
    expect(parseTrace(`${header}0,1,,Aggregated,0,0,0\n30,1,,Aggregated,1,0,30\n45,1,,Aggregated,1,0,6\n59,1,,Aggregated,1,0,20\n`, 'l.csv').points).toEqual([{ at: 0, rps: 0.833 }])
  })
})

describe('replaying a trace through policy and placement', () => {
  const policy: Autoscale = { min: 1, max: 8, target: { cpu: 50 } }
  const trace: Trace = { format: 'seconds-rps', points: [{ at: 0, rps: 50 }, { at: 60, rps: 400 }, { at: 180, rps: 50 }], end: 240 }
  const base = { service: 'web', policy, trace, perReplicaRps: 100, stepSeconds: 60, startReplicas: 1, sloCpu: 80, flapWindowSeconds: 300 }

  it('scales on each period\'s CPU and counts what the fleet could not serve', () => {
    const { steps, summary } = simulate({ ...base, slots: [{ target: 'local' }] })
    expect(steps.map((step) => [step.at, step.rps, step.replicas.local, step.cpu, step.unserved, step.action])).toEqual([
      [0, 50, 1, 50, 0, 'hold'],
      // CPU saturates at 100%, so one period at most doubles the replicas from the measured load
      [60, 400, 1, 100, 18000, 'scale-out'],
      [120, 400, 2, 100, 12000, 'scale-out'],
      [180, 50, 4, 12.5, 0, 'scale-in'],
    ])
    // the scale-in at 240 s reverses the scale-out at 180 s within the 300 s window: a flap, as no window held it
    expect(summary).toMatchObject({ requests: 54000, unserved: 30000, minutesOverSlo: 2, scaleEvents: 3, flaps: 1, peakReplicas: 4, firstScaleOutAt: 120 })
    expect(summary.replicaHours).toEqual({ local: 0.13 })
    expect(summary.cost).toBeUndefined()
  })

  it('overflows to the next target in placement order and drains it first', () => {
    const { steps } = simulate({ ...base, slots: [{ target: 'onprem', max: 2 }, { target: 'aws', max: 10 }] })
    expect(steps.map((step) => step.replicas)).toEqual([{ onprem: 1, aws: 0 }, { onprem: 1, aws: 0 }, { onprem: 2, aws: 0 }, { onprem: 2, aws: 2 }])
    expect(steps[2].summary).toBe('web 2 -> 4: cpu 100% vs target 50%; onprem full at 2, aws 0 -> 2')
    expect(steps[3].summary).toBe('web 4 -> 1: cpu 12.5% vs target 50%; onprem 2 -> 1, aws 2 -> 0')
  })

  it('keeps replicas that are starting out of the capacity until their warm-up ends', () => {
    const { steps } = simulate({ ...base, slots: [{ target: 'local' }], warmup: { local: 90 } })
    // scaled out at 120 s; the new replica serves from 210 s, so the period at 120 s still has one ready
    expect(steps.map((step) => [step.replicas.local, step.ready])).toEqual([[1, 1], [1, 1], [2, 1], [2, 1]])
    // starting replicas report no CPU, so the controller does not count the same shortfall twice
    expect(steps[2].action).toBe('hold')
  })

  it('prices every period from the rates per target', () => {
    const rates = { onprem: { perReplicaHour: 40_000_000n, basis: '' }, aws: { perReplicaHour: 24_000_000n, whileRunningHour: 25_200_000n, basis: '' } }
    const { steps, summary } = simulate({ ...base, slots: [{ target: 'onprem', max: 2 }, { target: 'aws' }], rates })
    expect(steps.map((step) => step.hourlyCost)).toEqual([0.04, 0.04, 0.08, 0.1532])
    expect(summary.cost).toBe(0.01)
    expect(simulate({ ...base, slots: [{ target: 'onprem', max: 2 }, { target: 'aws' }], rates: { onprem: rates.onprem, aws: { basis: '', unknown: 'no price' } } }).summary.cost).toBeUndefined()
  })

  it('counts a scale event that reverses the previous one within the window as a flap', () => {
    const choppy: Trace = { format: 'seconds-rps', points: [0, 1, 2, 3, 4, 5].map((minute) => ({ at: minute * 60, rps: minute % 2 ? 300 : 60 })), end: 360 }
    const flappy = simulate({ ...base, trace: choppy, slots: [{ target: 'local' }], startReplicas: 2 }).summary
    expect(flappy.flaps).toBeGreaterThan(2)
    const calm = simulate({ ...base, policy: { ...policy, stabilization: '5m' }, trace: choppy, slots: [{ target: 'local' }], startReplicas: 2 }).summary
    expect(calm.flaps).toBe(0)
  })

  it('replays a day of 15-second periods for four policies without a quadratic blow-up', () => {
    const day: Trace = { format: 'seconds-rps', points: Array.from({ length: 1440 }, (_, minute) => ({ at: minute * 60, rps: 200 + 600 * Math.sin((minute / 1440) * Math.PI) })), end: 86400 }
    const started = performance.now()
    for (const { policy: rule } of comparisonPolicies(policy)) simulate({ ...base, policy: rule, trace: day, stepSeconds: 15, slots: [{ target: 'onprem', max: 4 }, { target: 'aws' }] })
    expect(performance.now() - started).toBeLessThan(5000)
  })
})

describe('the comparison set', () => {
  it('shares the manifest\'s bounds and cooldown', () => {
    const policies = comparisonPolicies({ min: 2, max: 9, target: { cpu: 65 }, cooldown: '90s' })
    expect(policies.map((entry) => entry.name)).toEqual(['manifest', 'threshold', 'steps', 'target-tracking'])
    expect(policies[1].policy).toEqual({ min: 2, max: 9, cooldown: '90s', steps: [{ metric: 'cpu', above: 80, change: 1 }, { metric: 'cpu', below: 30, change: -1 }] })
    expect(policies[3].policy).toEqual({ min: 2, max: 9, target: { cpu: 65 }, stabilization: '5m' })
    expect(comparisonPolicies({ min: 1, max: 3, steps: [{ metric: 'cpu', above: 90, change: 1 }] })[1].policy.cooldown).toBe('300s')
  })
})

describe('the simulate report', () => {
  const options: SimulateOptions = {
    trace: parseTrace(readFileSync(new URL('../../bench/autoscale/traces/flash-spike.csv', import.meta.url)), 'flash-spike.csv'),
    traceName: 'flash-spike.csv',
    perReplicaRps: 100,
    stepSeconds: 15,
    warmup: { onprem: 10, aws: 60 },
    sloCpu: 80,
    compare: true,
    catalog: SHIPPED_CATALOG,
    descriptors: descriptorOf,
  }

  it('picks the only autoscaled service and refuses others clearly', () => {
    expect(chooseService(hybrid, undefined)).toBe('orders')
    expect(thrown(() => chooseService(hybrid, 'users')).message).toBe('Service "users" has no autoscale policy.')
    expect(thrown(() => chooseService(hybrid, 'order')).message).toMatch(/^Unknown service "order"/)
  })

  it('reads warm-ups for every target or per target', () => {
    expect(parseWarmup('30')).toBe(30)
    expect(parseWarmup('onprem=10, aws=90')).toEqual({ onprem: 10, aws: 90 })
    expect(thrown(() => parseWarmup('aws:90')).message).toBe('--warmup: "aws:90" is neither seconds nor target=seconds.')
    expect(thrown(() => simulateManifest(hybrid, { ...options, warmup: { gcp: 5 } })).message).toBe('--warmup names gcp, where orders does not run.')
  })

  it('prices replicas from the catalog on clouds and from the host cost model on-prem', () => {
    const rates = replicaRates(hybrid, SHIPPED_CATALOG, descriptorOf, 'orders', ['onprem', 'aws'])
    // 292 a month for 4 CPUs: one CPU is a quarter, 73 a month, 0.1 an hour over 730 hours
    expect(rates.onprem).toEqual({ perReplicaHour: 100_000_000n, basis: '25.0% of 1 host' })
    // t3.small 0.0228 an hour plus a 0.704-a-month root disk; orders has a port and no health path, so it is private:
    // the target's internal balancer (0.0252 an hour in eu-west-1) while any replica runs
    expect(rates.aws).toEqual({ perReplicaHour: 23_764_384n, whileRunningHour: 25_200_000n, basis: 't3.small in eu-west-1 + root disk (+ internal load balancer)' })
    // another public service on aws keeps the target's one public balancer running whatever orders does
    const aws = 'targets:\n  aws: { provider: aws, region: eu-west-1, instanceType: t3.small }\n'
    const shared = manifestOf(`name: shop\nservices:\n  orders: { image: a, port: 8080, health: /healthz, autoscale: { min: 1, max: 4, target: { cpu: 50 } } }\n  users: { image: a, port: 8080, health: /healthz }\n${aws}`)
    expect(replicaRates(shared, SHIPPED_CATALOG, descriptorOf, 'orders', ['aws']).aws).toEqual({ perReplicaHour: 23_764_384n, whileRunningHour: undefined, basis: 't3.small in eu-west-1 + root disk (load balancer shared with users)' })
    // a private service shares the internal balancer, not the public one
    const mixed = manifestOf(`name: shop\nservices:\n  orders: { image: a, port: 8080, health: /healthz, autoscale: { min: 1, max: 4, target: { cpu: 50 } } }\n  db: { image: a, port: 5432 }\n${aws}`)
    expect(replicaRates(mixed, SHIPPED_CATALOG, descriptorOf, 'orders', ['aws']).aws).toEqual({ perReplicaHour: 23_764_384n, whileRunningHour: 25_200_000n, basis: 't3.small in eu-west-1 + root disk (+ load balancer)' })
    const unpriced = manifestOf('name: x\nservices:\n  web: { image: a, autoscale: { min: 1, max: 2, target: { cpu: 50 } } }\n')
    expect(replicaRates(unpriced, SHIPPED_CATALOG, descriptorOf, 'web', ['local']).local.unknown).toBe('target "local" declares no host cost; add targets.local.cost with monthly (or purchase and months), cpus and memory')
  })

  it('compares the policies on the flash spike and ends with sparklines', () => {
    const report = simulateManifest(hybrid, options)
    expect(report.runs.map((run) => run.name)).toEqual(['manifest', 'threshold', 'steps', 'target-tracking'])
    const [manifest, threshold] = report.runs
    // scale-out starts at the end of the first 15-second period of the spike (0:30:00)
    const spike = manifest.steps.find((step) => step.at >= 1800 && step.action === 'scale-out')!
    expect(spike.at + spike.seconds).toBe(1815)
    expect(spike.summary).toBe('orders 4 -> 7: cpu 100% vs target 60%; onprem full at 4, aws 0 -> 3')
    expect(manifest.summary.unserved).toBeLessThan(threshold.summary.unserved)
    expect(manifest.summary.flaps).toBe(0)
    const text = renderSimulation(report)
    const lines = text.split('\n')
    expect(lines[0]).toBe('orders on flash-spike.csv (seconds-rps, 120 points, 2:00:00); policy evaluated every 15s; one replica serves 100 req/s at 100% CPU')
    expect(lines).toContain('  threshold: cpu > 80%: +1, cpu < 30%: -1, cooldown 300s')
    expect(lines.find((line) => line.startsWith('POLICY'))).toBe('POLICY           UNSERVED  MIN>80%  EVENTS  FLAPS  ONPREM R-H  AWS R-H  COST USD  REPLICAS')
    expect(lines[lines.length - 1]).toMatch(/^load \(rps\) +[▁▂▃▄▅▆▇█]{32}$/)
  })

  it('prints the scale events of a long single run and ends with a sparkline per series', () => {
    const report = simulateManifest(hybrid, { ...options, compare: false })
    const text = renderSimulation(report)
    const run = report.runs[0]
    const rows = run.summary.scaleEvents + (run.steps[0].action === 'hold' ? 1 : 0) + 1
    expect(text).toContain(`(${rows} of 480 steps: the scale events, the first and the last; --json has every step)`)
    expect(text).toMatch(/^0:30:00 +1565 +4 +0 +100 +17475 +0\.40 +orders 4 -> 7: cpu 100% vs target 60%; onprem full at 4, aws 0 -> 3$/m)
    expect(text.split('\n').slice(-4).map((line) => line.split(/\s+/)[0])).toEqual(['rps', 'onprem', 'aws', 'cpu'])
  })

  it('draws a chart that parses as SVG, with one marker per scale event', () => {
    const report = simulateManifest(hybrid, options)
    const svg = renderChart(report)
    const errors: string[] = []
    const document = new DOMParser({ onError: (level, message) => { errors.push(`${level}: ${message}`) } }).parseFromString(svg, 'image/svg+xml')
    expect(errors).toEqual([])
    const root = document.documentElement!
    expect(root.tagName).toBe('svg')
    expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg')
    const paths = Array.from(root.getElementsByTagName('path'))
    const byClass = (name: string) => paths.filter((path) => (path.getAttribute('class') ?? '').split(' ').includes(name))
    expect(byClass('replicas').map((path) => path.getAttribute('data-target'))).toEqual(['onprem', 'aws'])
    expect(byClass('cpu').map((path) => path.getAttribute('data-policy'))).toEqual(['manifest', 'threshold', 'steps', 'target-tracking'])
    expect(byClass('total').length).toBe(3)
    for (const path of [...byClass('series')]) expect(path.getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+(?:[LHVZ][\d.,]*)+$/)
    const events = Array.from(root.getElementsByTagName('g')).filter((group) => group.getAttribute('class') === 'events')
    expect(events.map((group) => [group.getAttribute('data-policy'), Array.from(group.getElementsByTagName('path')).length])).toEqual(report.runs.map((run) => [run.name, run.summary.scaleEvents]))
    const titles = Array.from(root.getElementsByTagName('text')).filter((text) => text.getAttribute('class') === 'panel-title').map((text) => text.textContent)
    expect(titles).toEqual([
      'requests per second: offered, ready capacity, not served',
      'replicas per target (manifest policy); lines: total of the other policies',
      'CPU of the ready replicas, % (target 60%, SLO 80%)',
      'scale events: ▲ out, ▼ in',
    ])
  })
})

describe('sparklines', () => {
  it('keeps a short spike visible when a long series is narrowed', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█')
    const long = Array.from({ length: 100 }, (_, index) => (index === 57 ? 10 : 1))
    const line = sparkline(long, 10)
    expect(line).toHaveLength(10)
    expect(line.indexOf('█')).toBe(5)
    expect(sparkline([2, 2], 10, 4)).toBe('▅▅')
    expect(sparkline([0, 0])).toBe('▁▁')
    expect(sparkline([])).toBe('')
  })
})
