/**
 * Findings of a change against its base: a finding whose fingerprint the base
 * also has (in force or suppressed there) was already present; the rest are
 * new. Fingerprints hash the rule, the file or resource and the line's text,
 * so findings that only moved lines still match. Pure.
 */
import type { CheckReport } from '../checks/engine.js'
import { atOrAbove, type Finding, type Severity } from '../checks/types.js'

export interface BaselineFindings {
  /** in force at head and not present at base, most severe first */
  new: Finding[]
  /** in force at head and already present at base */
  existing: Finding[]
  /** in force at base and gone at head */
  resolved: Finding[]
  /** suppressed at head (checks.skip or strato:ignore) */
  suppressed: Finding[]
}

/** Splits the head's findings by whether the base had them; each base finding matches at most one head finding. */
export function compareWithBase(head: CheckReport, base: CheckReport | undefined): BaselineFindings {
  const remaining = new Map<string, number>()
  for (const finding of base ? [...base.findings, ...base.suppressed] : []) {
    remaining.set(finding.fingerprint, (remaining.get(finding.fingerprint) ?? 0) + 1)
  }
  const take = (fingerprint: string): boolean => {
    const left = remaining.get(fingerprint) ?? 0
    if (left === 0) return false
    remaining.set(fingerprint, left - 1)
    return true
  }
  const result: BaselineFindings = { new: [], existing: [], resolved: [], suppressed: head.suppressed }
  for (const finding of head.findings) (take(finding.fingerprint) ? result.existing : result.new).push(finding)
  const atHead = new Set([...head.findings, ...head.suppressed].map((finding) => finding.fingerprint))
  result.resolved = (base?.findings ?? []).filter((finding) => !atHead.has(finding.fingerprint))
  return result
}

/** The findings that fail the gate: new ones at or above the threshold, and existing ones too when asked. */
export function blockingFindings(findings: BaselineFindings, failOn: Severity | undefined, failOnExisting: boolean): Finding[] {
  if (!failOn) return []
  const candidates = failOnExisting ? [...findings.new, ...findings.existing] : findings.new
  return candidates.filter((finding) => atOrAbove(finding.severity, failOn))
}

/** The SARIF baselineState of each head finding, by fingerprint: code scanning shows new ones as introduced by the change. */
export function baselineStates(head: CheckReport, base: CheckReport | undefined): Map<string, 'new' | 'unchanged'> {
  const seen = new Set(base ? [...base.findings, ...base.suppressed].map((finding) => finding.fingerprint) : [])
  return new Map([...head.findings, ...head.suppressed].map((finding) => [finding.fingerprint, seen.has(finding.fingerprint) ? 'unchanged' : 'new']))
}
