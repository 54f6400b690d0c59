import { describe, expect, it } from 'vitest'
import { ALL_RULES } from '../../src/checks/rules/index.js'
import type { CheckReport } from '../../src/checks/engine.js'
import type { Finding } from '../../src/checks/types.js'
import { UserError } from '../../src/errors.js'
import { blockingFindings, compareWithBase } from '../../src/gate/baseline.js'
import { checkIncrease, parseIncreaseLimit } from '../../src/gate/cost-limits.js'
import { renderGateJunit, renderGateSarif } from '../../src/gate/machine-formats.js'
import { COMMENT_LIMIT, GATE_MARKER, renderGateMarkdown } from '../../src/gate/markdown.js'
import { targetsChangedBy } from '../../src/gate/plan-scope.js'
import { evaluateGate, gateJson, type GateInput } from '../../src/gate/result.js'
import { failingInput, invalidManifestInput, passingInput } from '../helpers/gate-scenarios.js'

const finding = (fingerprint: string, severity: Finding['severity'] = 'high', line = 1): Finding => ({
  ruleId: 'DKR-001', title: 'Container runs as root', severity, message: `finding ${fingerprint}`, location: { kind: 'file', path: 'Dockerfile', line }, fingerprint,
})
const report = (findings: Finding[], suppressed: Finding[] = []): CheckReport => ({
  findings, suppressed, failed: false, summary: { critical: 0, high: 0, medium: 0, low: 0, suppressed: suppressed.length, files: 1, facts: 0, rules: 1 },
})

describe('findings against the base', () => {
  it('splits new from already present by fingerprint, one base finding per head finding', () => {
    const base = report([finding('a'), finding('b')], [finding('s')])
    const head = report([finding('a', 'high', 7), finding('a'), finding('c'), finding('s')])
    const split = compareWithBase(head, base)
    expect(split.existing.map((item) => item.fingerprint)).toEqual(['a', 's'])
    expect(split.new.map((item) => item.fingerprint)).toEqual(['a', 'c'])
    expect(split.resolved.map((item) => item.fingerprint)).toEqual(['b'])
  })

  it('without a base every finding is new', () => {
    expect(compareWithBase(report([finding('a')]), undefined).new).toHaveLength(1)
  })

  it('blocks on new findings at or above the threshold, and existing ones only when asked', () => {
    const split = compareWithBase(report([finding('old', 'critical'), finding('new', 'medium'), finding('new2', 'high')]), report([finding('old', 'critical')]))
    expect(blockingFindings(split, 'high', false).map((item) => item.fingerprint)).toEqual(['new2'])
    expect(blockingFindings(split, 'high', true).map((item) => item.fingerprint)).toEqual(['new2', 'old'])
    expect(blockingFindings(split, 'medium', false)).toHaveLength(2)
    expect(blockingFindings(split, undefined, true)).toEqual([])
  })
})

describe('--max-increase', () => {
  const { diff } = passingInput().cost!
  const rising = { ...diff, base: { ...diff.base, total: { min: 10_000n, expected: 10_000n, max: 10_000n } }, head: { ...diff.head, total: { min: 11_000n, expected: 11_001n, max: 12_000n } } }

  it('reads an amount or a percent, and refuses anything else as a usage error', () => {
    expect(parseIncreaseLimit('49.99')).toMatchObject({ kind: 'amount', cents: 4999n })
    expect(parseIncreaseLimit('12.5%')).toMatchObject({ kind: 'percent', basisPoints: 1250n })
    for (const bad of ['', 'ten', '-5', '5 %', '%']) {
      const error = (() => { try { parseIncreaseLimit(bad) } catch (caught) { return caught } })()
      expect(error, bad).toBeInstanceOf(UserError)
      expect((error as UserError).exitCode).toBe(2)
    }
  })

  it('compares the rise of the expected total, in cents and exactly in percent', () => {
    // 100.00 -> 110.01: +10.01, +10.01%
    expect(checkIncrease(rising, parseIncreaseLimit('10.01')).exceeded).toBe(false)
    expect(checkIncrease(rising, parseIncreaseLimit('10')).exceeded).toBe(true)
    expect(checkIncrease(rising, parseIncreaseLimit('10.01%')).exceeded).toBe(false)
    expect(checkIncrease(rising, parseIncreaseLimit('10%')).exceeded).toBe(true)
    expect(checkIncrease(rising, parseIncreaseLimit('10%')).summary).toBe('The expected monthly cost changes by +10.01 USD (+10.0%), over the limit of +10%.')
  })

  it('a rise from nothing is over any percent limit; a saving is within every limit', () => {
    const fromZero = { ...rising, base: { ...rising.base, total: { min: 0n, expected: 0n, max: 0n } } }
    expect(checkIncrease(fromZero, parseIncreaseLimit('1000%')).exceeded).toBe(true)
    const saving = { ...rising, base: rising.head, head: rising.base }
    expect(checkIncrease(saving, parseIncreaseLimit('0')).exceeded).toBe(false)
    expect(checkIncrease(saving, parseIncreaseLimit('0%')).exceeded).toBe(false)
  })
})

describe('targets a change needs planned', () => {
  const targets = { aws: { provider: 'aws' as const, region: 'us-east-1', instanceType: 't3.small' }, onprem: { provider: 'docker' as const, hosts: ['unix:///var/run/docker.sock'], mode: 'standalone' as const } }
  const desired = [{ target: 'aws', service: 'users', replicas: 2, version: 'v1' }, { target: 'onprem', service: 'orders', replicas: 1, version: 'v1' }]

  it('names the targets whose services, replicas, versions or definition changed', () => {
    const head = { targets, desired }
    expect(targetsChangedBy(head, { targets, desired })).toEqual([])
    expect(targetsChangedBy(head, { targets, desired: [desired[0], { ...desired[1], version: 'v0' }] })).toEqual(['onprem'])
    expect(targetsChangedBy(head, { targets: { ...targets, aws: { ...targets.aws, instanceType: 't3.micro' } }, desired })).toEqual(['aws'])
    expect(targetsChangedBy(head, undefined)).toEqual(['aws', 'onprem'])
  })
})

describe('the verdict and its exit code', () => {
  const withPlan = (input: GateInput, targets: NonNullable<GateInput['plan']>['targets']): GateInput => ({ ...input, plan: { offline: false, targets } })

  it('passes with 0 when nothing new fails', () => {
    const result = evaluateGate(passingInput())
    expect([result.verdict, result.exitCode, result.headline]).toEqual(['pass', 0, 'strato gate passed.'])
    expect(result.findings.existing.length).toBeGreaterThan(0)
  })

  it('fails with 3 on new findings, the cost limits and the budget, and says which', () => {
    const result = evaluateGate(failingInput())
    expect(result.exitCode).toBe(3)
    expect(result.gates.map((gate) => [gate.id, gate.status])).toEqual([['manifest', 'pass'], ['findings', 'fail'], ['cost-increase', 'fail'], ['budget', 'fail'], ['plan', 'pass']])
    expect(result.findings.blocking.map((item) => item.ruleId)).toEqual(['DKR-005', 'DKR-001'])
    expect(result.headline).toBe('strato gate failed: 2 new findings at or above high; cost increase of at most +20.00 USD and +10%: +25.46 USD per month (+31.9%), over the limit; monthly budget of 100.00 USD: 105.18 USD expected, over budget.')
  })

  it('existing findings fail only with --fail-on-existing', () => {
    const input = passingInput()
    input.findings.failOn = 'medium'
    expect(evaluateGate(input).exitCode).toBe(0)
    expect(evaluateGate({ ...input, findings: { ...input.findings, failOnExisting: true } }).exitCode).toBe(3)
  })

  it('a manifest error is 2 before anything else', () => {
    const result = evaluateGate(invalidManifestInput())
    expect([result.verdict, result.exitCode]).toEqual(['error', 2])
    expect(result.gates.map((gate) => gate.id)).toEqual(['manifest', 'findings'])
  })

  it('a needed target that refuses is 5, one that cannot be reached is 4; untouched or unsupported ones do not count', () => {
    const input = passingInput()
    const skip = (target: string, status: 'unreachable' | 'denied' | 'unsupported', needed: boolean) => ({ target, provider: 'aws', status, needed, message: `${target} ${status}` })
    expect(evaluateGate(withPlan(input, [skip('a', 'unreachable', false), skip('b', 'denied', false), skip('c', 'unsupported', true)])).exitCode).toBe(0)
    expect(evaluateGate(withPlan(input, [skip('a', 'unreachable', true)])).exitCode).toBe(4)
    expect(evaluateGate(withPlan(input, [skip('a', 'unreachable', true), skip('b', 'denied', true)])).exitCode).toBe(5)
    // a failed gate is a verdict on the change: it outranks a target that could not be asked
    expect(evaluateGate(withPlan(failingInput(), [skip('a', 'unreachable', true)])).exitCode).toBe(3)
  })

  it('--json carries amounts as numbers and the blocking findings by fingerprint', () => {
    const json = gateJson(evaluateGate(failingInput()))
    expect(json.cost?.delta?.expected).toBe(25.46)
    expect(json.cost?.budget?.exceeded).toBe(true)
    expect(json.cost?.increases.map((check) => [check.limit, check.exceeded])).toEqual([['20', true], ['10%', true]])
    expect(json.findings.blocking).toHaveLength(2)
    expect(() => JSON.stringify(json)).not.toThrow()
  })
})

describe('the Markdown report', () => {
  it('starts with the verdict and ends with the marker the CI step looks for', () => {
    const text = renderGateMarkdown(evaluateGate(failingInput()))
    expect(text.split('\n')[0]).toBe('## ❌ strato gate failed')
    expect(text.trimEnd().endsWith(GATE_MARKER)).toBe(true)
    expect(text).toContain('<details open>\n<summary>Findings: 4 new, 6 already present, 2 resolved</summary>')
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T|5d2c0f6/)
  })

  it('is the same text for the same result', () => {
    expect(renderGateMarkdown(evaluateGate(failingInput()))).toBe(renderGateMarkdown(evaluateGate(failingInput())))
  })

  it('stays under the comment limit with thousands of findings, and says how many it left out', () => {
    const input = failingInput()
    const many = Array.from({ length: 3000 }, (_, index) => finding(`f${index}`, 'high', index + 1))
    input.findings = { ...input.findings, head: report(many.map((item) => ({ ...item, message: `${'x'.repeat(250)} ${item.fingerprint}` }))), base: report([]) }
    const text = renderGateMarkdown(evaluateGate(input))
    expect(text.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(text).toMatch(/…and \d+ more findings, left out to fit a comment/)
    expect(text.split('\n')[0]).toBe('## ❌ strato gate failed')
    expect(text).toContain('| **Total** |')
    expect(text.trimEnd().endsWith(GATE_MARKER)).toBe(true)
  })

  it('keeps HTML and long text from findings out of the comment', () => {
    const input = passingInput()
    input.findings = { ...input.findings, head: report([finding('h', 'low')].map((item) => ({ ...item, message: `<script>alert(1)</script> ${'y'.repeat(400)}` }))), base: report([]) }
    const text = renderGateMarkdown(evaluateGate(input))
    expect(text).not.toContain('<script>')
    expect(text).toContain('&lt;script>')
    expect(text).toMatch(/y{50}…/)
  })
})

describe('SARIF and JUnit', () => {
  it('marks each result new or unchanged against the base', () => {
    const input = failingInput()
    const sarif = renderGateSarif(input.findings.head, input.findings.base, ALL_RULES, { version: '0.0.0' }) as { runs: { results: { ruleId: string; baselineState: string }[] }[] }
    const states = sarif.runs[0].results.map((result) => `${result.ruleId}:${result.baselineState}`)
    expect(states).toContain('DKR-005:new')
    expect(states).toContain('DKR-002:unchanged')
  })

  it('has one case per gate, failing with what failed it', () => {
    const xml = renderGateJunit(evaluateGate(failingInput()))
    expect(xml).toContain('<testsuites name="strato gate" tests="5" failures="3" errors="0">')
    expect(xml).toMatch(/<failure message="2 new findings at or above high" type="gate">critical DKR-005 services\/users\/Dockerfile:3: /)
    expect(renderGateJunit(evaluateGate(passingInput()))).toContain('failures="0"')
  })
})
