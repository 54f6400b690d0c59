/**
 * SARIF 2.1.0, the static-analysis results format GitHub code scanning and
 * other viewers import. Built from neutral rule and result descriptions so
 * any analysis strato runs can be reported this way. Pure.
 */

export type SarifLevel = 'error' | 'warning' | 'note' | 'none'

export interface SarifRuleInput {
  id: string
  /** PascalCase-ish short name */
  name: string
  shortDescription: string
  fullDescription: string
  helpText: string
  helpMarkdown: string
  helpUri?: string
  level: SarifLevel
  /** 0.0-10.0, shown by GitHub as critical/high/medium/low */
  securitySeverity?: number
  tags: string[]
}

export interface SarifResultInput {
  ruleId: string
  level: SarifLevel
  message: string
  /** a file in the repository, relative to its root */
  file?: { path: string; line: number; column?: number }
  /** something outside the repository, e.g. a cloud resource */
  logical?: { name: string; fullyQualifiedName: string; kind: string }
  fingerprint: string
  suppression?: { kind: 'inSource' | 'external'; justification: string }
}

export interface SarifInput {
  toolName: string
  version: string
  informationUri?: string
  rules: SarifRuleInput[]
  results: SarifResultInput[]
}

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json'

export function renderSarif(input: SarifInput): Record<string, unknown> {
  const ruleIndex = new Map(input.rules.map((rule, index) => [rule.id, index]))
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: input.toolName,
          version: input.version,
          semanticVersion: input.version,
          ...(input.informationUri ? { informationUri: input.informationUri } : {}),
          rules: input.rules.map((rule) => ({
            id: rule.id,
            name: rule.name,
            shortDescription: { text: rule.shortDescription },
            fullDescription: { text: rule.fullDescription },
            help: { text: rule.helpText, markdown: rule.helpMarkdown },
            ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
            defaultConfiguration: { level: rule.level },
            properties: {
              tags: rule.tags,
              ...(rule.securitySeverity === undefined ? {} : { 'security-severity': rule.securitySeverity.toFixed(1) }),
            },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The project root.' } } },
      results: input.results.map((result) => {
        const location: Record<string, unknown> = {}
        if (result.file) {
          location.physicalLocation = {
            artifactLocation: { uri: encodeUriPath(result.file.path), uriBaseId: '%SRCROOT%' },
            region: { startLine: result.file.line, ...(result.file.column ? { startColumn: result.file.column } : {}) },
          }
        }
        if (result.logical) location.logicalLocations = [result.logical]
        return {
          ruleId: result.ruleId,
          ...(ruleIndex.has(result.ruleId) ? { ruleIndex: ruleIndex.get(result.ruleId) } : {}),
          level: result.level,
          message: { text: result.message },
          locations: [location],
          partialFingerprints: { 'strato/v1': result.fingerprint },
          ...(result.suppression ? { suppressions: [{ kind: result.suppression.kind, justification: result.suppression.justification }] } : {}),
        }
      }),
    }],
  }
}

/** Relative path to a URI reference: each segment percent-encoded, slashes kept. */
function encodeUriPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}
