/**
 * The rules engine's vocabulary. A rule is data (id, title, severity, why,
 * how to fix, references) plus a pure function over one kind of subject: a
 * parsed Dockerfile, a service definition from a compose file or strato.yaml,
 * a text file, or a live fact. Findings carry file:line or a resource id.
 */
import type { Severity } from '../manifest/schema.js'
import type { Dockerfile } from './dockerfile-parser.js'
import type { FactData, FactKind } from './facts.js'
import type { ServiceSpec } from './service-spec.js'

export type { Severity }

/** Highest first: the order findings are listed and thresholds compared in. */
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low']

export function severityRank(severity: Severity): number {
  return SEVERITY_ORDER.length - SEVERITY_ORDER.indexOf(severity)
}

export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold)
}

export interface Reference {
  /** e.g. 'CIS Docker Benchmark v1.6.0' */
  standard: string
  /** the control id inside it, e.g. '4.1' */
  id: string
  title?: string
}

/** What a static rule reads from the project's own files. */
export interface StaticSubjects {
  dockerfile: { path: string; text: string; dockerfile: Dockerfile }
  /** one service from a compose file or strato.yaml, normalised */
  service: { path: string; text: string; service: ServiceSpec }
  /** a file scanned for credentials; structured files (Dockerfile, compose, strato.yaml) have their own rules for assignments */
  sourceFile: { path: string; text: string; lines: string[]; structured: boolean }
  /** a committed .env file */
  envFile: { path: string; text: string; lines: string[] }
}

export type StaticKind = keyof StaticSubjects
export type SubjectKind = StaticKind | FactKind

/** A live fact as the rule sees it. */
export interface FactSubject<K extends FactKind> {
  kind: K
  resource: string
  target: string
  data: FactData[K]
}

export type SubjectOf<K extends SubjectKind> = K extends StaticKind ? StaticSubjects[K] : K extends FactKind ? FactSubject<K> : never

/** What a rule may know besides its subject; the engine passes it, rules never read globals. */
export interface RuleContext {
  /** tags every cloud resource must carry (checks.requiredTags) */
  requiredTags: string[]
}

/** One problem a rule saw. The engine adds the rule's data and the location. */
export interface Hit {
  message: string
  /** 1-based line in the subject's file (static rules) */
  line?: number
  column?: number
  /** overrides the subject's resource id (live rules reporting a sub-resource) */
  resource?: string
}

export type Pack = 'dockerfile' | 'services' | 'secrets' | 'docker' | 'aws' | 'azure' | 'gcp' | 'kubernetes' | 'core'

export interface RuleInfo {
  /** stable id, e.g. DKR-001: never renumbered, never reused */
  id: string
  title: string
  severity: Severity
  pack: Pack
  rationale: string
  remediation: string
  references: Reference[]
  /** the subject kinds the rule reads */
  reads: readonly SubjectKind[]
}

export interface Rule<K extends SubjectKind = SubjectKind> extends RuleInfo {
  reads: readonly K[]
  check(subject: SubjectOf<K>, context: RuleContext): Hit[]
}

/** Type-checks a rule against the subject kind it reads. */
export function defineRule<K extends SubjectKind>(rule: Rule<K>): Rule {
  return rule as unknown as Rule
}

export type Location =
  | { kind: 'file'; path: string; line: number; column?: number }
  | { kind: 'resource'; target: string; resource: string; factKind: string }

export interface Suppression {
  by: 'manifest' | 'inline'
  reason: string
  until?: string
  /** where the suppression itself is written */
  path: string
  line: number
}

export interface Finding {
  ruleId: string
  title: string
  severity: Severity
  message: string
  location: Location
  /** stable across edits that move lines: rule, file or resource, and the text of the line */
  fingerprint: string
  suppressed?: Suppression
}

export function describeLocation(location: Location): string {
  return location.kind === 'file' ? `${location.path}:${location.line}` : `${location.target}/${location.resource}`
}
