/**
 * Findings the engine itself raises (CHK-*): files it could not read, rules
 * that failed, suppressions that no longer hold. They read no subject.
 */
import type { Rule } from '../types.js'

const engineRule = (rule: Omit<Rule, 'pack' | 'reads' | 'check' | 'references'>): Rule => ({ ...rule, pack: 'core', reads: [], references: [], check: () => [] })

export const PARSE_ERROR = 'CHK-001'
export const RULE_FAILED = 'CHK-002'
export const EXPIRED_SUPPRESSION = 'CHK-003'
export const SUPPRESSION_WITHOUT_REASON = 'CHK-004'
export const FILE_NOT_READ = 'CHK-005'

export const coreRules: Rule[] = [
  engineRule({
    id: PARSE_ERROR, severity: 'medium',
    title: 'File could not be parsed',
    rationale: 'A Dockerfile, compose file or strato.yaml that does not parse is not checked at all, and would fail at build or deploy time anyway.',
    remediation: 'Fix the syntax error at the line given; the other files were still checked.',
  }),
  engineRule({
    id: RULE_FAILED, severity: 'medium',
    title: 'A rule failed (bug in strato)',
    rationale: 'A rule threw an error on this input, so this input was not fully checked by it. The run went on with every other rule.',
    remediation: 'Report it with the rule id and, if you can, the file or fact that triggered it. Meanwhile the finding can be suppressed with a reason.',
  }),
  engineRule({
    id: EXPIRED_SUPPRESSION, severity: 'medium',
    title: 'Suppression has expired',
    rationale: 'A suppression with an `until` date is a promise to fix by then; once it passes, the suppressed findings are reported again and the stale suppression is flagged.',
    remediation: 'Fix the underlying findings and delete the suppression, or renew `until` with a new reason.',
  }),
  engineRule({
    id: SUPPRESSION_WITHOUT_REASON, severity: 'low',
    title: 'Suppression without a reason',
    rationale: 'An inline `strato:ignore` without a reason hides a finding with nothing for a reviewer to judge; it is ignored.',
    remediation: 'Write why after the rule id: `# strato:ignore DKR-004 unpacks the vendored tarball`.',
  }),
  engineRule({
    id: FILE_NOT_READ, severity: 'low',
    title: 'File too large to check',
    rationale: 'strato reads Dockerfiles, compose files, strato.yaml and .env files up to 64 MiB and source files up to 1 MiB; a larger file is not checked at all, and says so here rather than passing silently.',
    remediation: 'Split the file, or move generated and vendored files out of the project folder (or into a folder strato skips, such as vendor/ or dist/); suppress with checks.skip and a path if it is known to be safe.',
  }),
]
