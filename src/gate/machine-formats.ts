/**
 * The gate for machines: SARIF for code scanning (the head's findings, each
 * marked new or unchanged against the base) and JUnit for CI test views (one
 * case per gate, failing with what failed it). Pure.
 */
import type { CheckReport } from '../checks/engine.js'
import { renderReportSarif, type SarifOptions } from '../checks/report-formats.js'
import { describeLocation, type Rule } from '../checks/types.js'
import { renderJunit, type JunitCase } from '../output/junit.js'
import { baselineStates } from './baseline.js'
import type { GateCheck, GateResult } from './result.js'

export function renderGateSarif(head: CheckReport, base: CheckReport | undefined, rules: readonly Rule[], options: SarifOptions): Record<string, unknown> {
  const sarif = renderReportSarif(head, rules, options) as { runs: { results: { partialFingerprints: Record<string, string>; baselineState?: string }[] }[] }
  const states = baselineStates(head, base)
  for (const result of sarif.runs[0].results) {
    const state = states.get(result.partialFingerprints['strato/v1'])
    if (state) result.baselineState = state
  }
  return sarif
}

function failureBody(gate: GateCheck, result: GateResult): string {
  switch (gate.id) {
    case 'manifest': return result.manifest.problems.map((problem) => `${problem.file}:${problem.line}:${problem.col} ${problem.path ? `${problem.path}: ` : ''}${problem.message}`).join('\n')
    case 'findings': return result.findings.blocking.map((finding) => `${finding.severity} ${finding.ruleId} ${describeLocation(finding.location)}: ${finding.message}`).join('\n')
    case 'cost-increase': return (result.cost?.increases ?? []).filter((check) => check.exceeded).map((check) => check.summary).join('\n')
    case 'budget': return result.cost?.budget?.summary ?? ''
    case 'plan': return (result.plan?.targets ?? []).filter((entry) => entry.needed && entry.status !== 'planned').map((entry) => `${entry.target}: ${'message' in entry ? entry.message : ''}`).join('\n')
  }
}

/** One suite, one case per gate; a gate that is not configured is a passing case that says so. */
export function renderGateJunit(result: GateResult): string {
  const cases: JunitCase[] = result.gates.map((gate) => ({
    name: `${gate.title}: ${gate.outcome}`,
    classname: `strato.gate.${gate.id}`,
    failure: gate.status === 'fail' || gate.status === 'error'
      ? { message: gate.outcome, type: gate.status === 'fail' ? 'gate' : 'error', body: failureBody(gate, result) }
      : undefined,
  }))
  return renderJunit('strato gate', [{ name: 'strato gate', cases }])
}
