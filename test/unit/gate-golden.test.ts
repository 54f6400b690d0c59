/**
 * The gate's pull-request comment, golden: test/golden/gate/<scenario>.md is
 * exactly what renderGateMarkdown writes. The only way they change is
 * `node scripts/update-golden.mjs`, which reruns this file in update mode.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderGateMarkdown } from '../../src/gate/markdown.js'
import { evaluateGate } from '../../src/gate/result.js'
import { failingInput, invalidManifestInput, passingInput } from '../helpers/gate-scenarios.js'

const GOLDEN = path.resolve(import.meta.dirname, '../golden/gate')
const SCENARIOS = { pass: passingInput, fail: failingInput, 'manifest-error': invalidManifestInput }

describe('golden gate reports', () => {
  it.each(Object.entries(SCENARIOS))('%s.md matches test/golden/gate exactly', (scenario, input) => {
    const file = path.join(GOLDEN, `${scenario}.md`)
    const text = renderGateMarkdown(evaluateGate(input()))
    if (process.env.STRATO_UPDATE_GOLDEN === '1') {
      mkdirSync(GOLDEN, { recursive: true })
      writeFileSync(file, text)
    }
    expect(existsSync(file), `${file} is missing; run node scripts/update-golden.mjs`).toBe(true)
    expect(text, `${scenario}.md differs; run node scripts/update-golden.mjs if the change is intended`).toBe(readFileSync(file, 'utf8'))
  })
})
