/**
 * The GCP autoscaler compiler: golden scenarios under
 * test/golden/autoscaling/gcp/<scenario>/ (strato.yaml -> autoscaler.json,
 * one compiled policy per service), rewritten only by
 * `node scripts/update-golden.mjs`; and the specs it refuses, by path.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { loadManifestFile } from '../../src/manifest/load.js'
import type { Autoscale } from '../../src/manifest/schema.js'
import { compileAutoscaler, secondsUntil } from '../../providers/gcp/autoscaling-compile.js'

const ROOT = path.resolve(import.meta.dirname, '../golden/autoscaling/gcp')
const updating = process.env.STRATO_UPDATE_GOLDEN === '1'

describe('gcp autoscaler golden scenarios', () => {
  const scenarios = readdirSync(ROOT).sort()
  it('has scenarios', () => expect(scenarios.length).toBeGreaterThanOrEqual(3))
  for (const scenario of scenarios) {
    it(scenario, () => {
      const { manifest } = loadManifestFile(path.join(ROOT, scenario, 'strato.yaml'))
      const compiled = Object.fromEntries(Object.entries(manifest.services)
        .filter(([, spec]) => spec.autoscale)
        .map(([name, spec]) => [name, compileAutoscaler(spec.autoscale!, `services.${name}.autoscale`)]))
      const file = path.join(ROOT, scenario, 'autoscaler.json')
      if (updating) writeFileSync(file, `${JSON.stringify(compiled, null, 2)}\n`)
      expect(existsSync(file), `${file} is missing: run node scripts/update-golden.mjs`).toBe(true)
      expect(compiled).toEqual(JSON.parse(readFileSync(file, 'utf8')))
    })
  }
})

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
})
