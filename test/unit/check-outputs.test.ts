import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import formatsModule from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { runChecks } from '../../src/checks/engine.js'
import { renderReportJunit, renderReportMarkdown, renderReportSarif, renderReportTable } from '../../src/checks/report-formats.js'
import { ALL_RULES } from '../../src/checks/rules/index.js'
import { escapeCell, markdownTable } from '../../src/output/markdown.js'
import { renderJunit } from '../../src/output/junit.js'
import type { Fact } from '../../src/model.js'

const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (ajv: Ajv) => Ajv
const schema = JSON.parse(readFileSync(new URL('../fixtures/check/sarif-schema-2.1.0.json', import.meta.url), 'utf8'))
const facts = JSON.parse(readFileSync(new URL('../fixtures/check/facts/aws-insecure.json', import.meta.url), 'utf8')) as Fact[]

const report = runChecks({
  files: [
    { path: 'services/my users/Dockerfile', text: 'FROM node\n# strato:ignore DKR-004 unpacks the vendored archive\nADD app.tgz /app\nENV API_TOKEN=abcd1234efgh\n', role: 'dockerfile' },
    { path: 'compose.yaml', text: 'services:\n  db:\n    image: postgres:16\n    ports: ["5432:5432"]\n    environment: { POSTGRES_PASSWORD: "a|b<c>&d" }\n', role: 'compose' },
  ],
  facts,
  skips: [],
}, { today: '2026-11-25', failOn: 'high' })

const plain = { red: (t: string) => t, yellow: (t: string) => t, cyan: (t: string) => t, bold: (t: string) => t, dim: (t: string) => t, green: (t: string) => t }

describe('SARIF', () => {
  const sarif = renderReportSarif(report, ALL_RULES, {
    version: '0.1.0',
    rulesDocUrl: 'https://example.com/strato/docs/checks.md',
    targetAnchors: { aws: { path: 'strato.yaml', line: 12 } },
  }) as { runs: { tool: { driver: { rules: Record<string, unknown>[] } }; results: Record<string, any>[] }[] }

  it('validates against the SARIF 2.1.0 schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true })
    addFormats(ajv)
    const validate = ajv.compile(schema)
    const valid = validate(sarif)
    expect(validate.errors ?? []).toEqual([])
    expect(valid).toBe(true)
    // the schema really constrains: a wrong level or a missing message is refused
    const broken = structuredClone(sarif)
    broken.runs[0].results[0].level = 'critical'
    expect(validate(broken)).toBe(false)
    delete broken.runs[0].results[0].message
    broken.runs[0].results[0].level = 'error'
    expect(validate(broken)).toBe(false)
  })

  it('describes every rule with help, helpUri and a security severity', () => {
    const rules = sarif.runs[0].tool.driver.rules
    expect(rules).toHaveLength(ALL_RULES.length)
    const dkr001 = rules.find((rule) => rule.id === 'DKR-001') as Record<string, any>
    expect(dkr001.helpUri).toBe('https://example.com/strato/docs/checks.md#dkr-001')
    expect(dkr001.help.markdown).toContain('**Fix:**')
    expect(dkr001.properties['security-severity']).toBe('8.0')
    expect(dkr001.defaultConfiguration).toEqual({ level: 'error' })
  })

  it('maps levels, physical locations for files, logical locations for live resources, fingerprints and suppressions', () => {
    const results = sarif.runs[0].results
    const file = results.find((result) => result.ruleId === 'DKR-005')!
    expect(file.level).toBe('error')
    expect(file.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'services/my%20users/Dockerfile', uriBaseId: '%SRCROOT%' }, region: { startLine: 4 } })
    expect(file.partialFingerprints['strato/v1']).toMatch(/^[0-9a-f]{32}$/)
    const live = results.find((result) => result.ruleId === 'AWS-001')!
    expect(live.locations[0].logicalLocations).toEqual([{ name: 'sg-0a1b2c3d4e5f60718', fullyQualifiedName: 'aws/sg-0a1b2c3d4e5f60718', kind: 'resource' }])
    expect(live.locations[0].physicalLocation.region).toEqual({ startLine: 12 })
    expect(results.find((result) => result.ruleId === 'DKR-002')!.level).toBe('warning')
    expect(results.find((result) => result.ruleId === 'DKR-004')!.suppressions).toEqual([{ kind: 'inSource', justification: 'unpacks the vendored archive' }])
  })

  it('never writes a secret value', () => {
    expect(JSON.stringify(sarif)).not.toContain('abcd1234efgh')
    expect(JSON.stringify(sarif)).not.toContain('a|b<c>&d')
  })
})

describe('JUnit', () => {
  const xml = renderReportJunit(report, ALL_RULES)

  it('has one suite per pack, a passing case per clean rule and a failing case per finding', () => {
    const failures = (xml.match(/<failure /g) ?? []).length
    expect(failures).toBe(report.findings.length)
    expect(xml).toContain('<testsuite name="strato check: dockerfile"')
    expect(xml).toContain('<testcase name="DKR-010 SSH port exposed" classname="strato.dockerfile"/>')
    expect(xml).toMatch(/<testsuites name="strato check" tests="\d+" failures="\d+" errors="0">/)
  })

  it('escapes XML and drops characters XML cannot hold', () => {
    const out = renderJunit('s', [{ name: 'a&b', cases: [{ name: '<x>', classname: 'c"d', failure: { message: 'm\u0001', type: 'high', body: 'b & c' } }] }])
    expect(out).toContain('<testsuite name="a&amp;b"')
    expect(out).toContain('<testcase name="&lt;x&gt;" classname="c&quot;d">')
    expect(out).toContain('<failure message="m" type="high">b &amp; c</failure>')
  })
})

describe('Markdown and table', () => {
  it('writes a pull-request comment with status, findings, fixes and suppressions', () => {
    const markdown = renderReportMarkdown(report, ALL_RULES)
    expect(markdown).toMatch(/^## strato check\n\n:x: findings at or above \*\*high\*\* remain\./)
    expect(markdown).toContain('| critical | AWS-001 Security group opens an admin port to the internet | `aws/sg-0a1b2c3d4e5f60718` |')
    expect(markdown).toContain('<summary>How to fix</summary>')
    expect(markdown).toContain('<summary>1 suppressed</summary>')
  })

  it('keeps a pull-request comment within size limits', () => {
    const files = Array.from({ length: 130 }, (_, index) => ({ path: `svc-${index}/Dockerfile`, text: 'FROM a:1\nUSER 1\nHEALTHCHECK NONE\nADD x.tgz /\n', role: 'dockerfile' as const }))
    const many = runChecks({ files, facts: [], skips: [] }, { today: '2026-11-25' })
    const markdown = renderReportMarkdown(many, ALL_RULES)
    expect(markdown.split('\n').filter((line) => line.startsWith('| low |'))).toHaveLength(100)
    expect(markdown).toContain('...and 30 more; run `strato check` for the full list.')
  })

  it('escapes table cells', () => {
    expect(escapeCell('a|b\nc')).toBe('a\\|b<br>c')
    expect(markdownTable(['n', 'v'], [['x', '1']], ['left', 'right'])).toBe('| n | v |\n| --- | ---: |\n| x | 1 |')
  })

  it('groups the table by severity, most severe first, and states the gate', () => {
    const table = renderReportTable(report, plain)
    const headings = table.split('\n').filter((line) => /^(CRITICAL|HIGH|MEDIUM|LOW) \(\d+\)$/.test(line)).map((line) => line.split(' ')[0])
    expect(headings).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'])
    expect(table).toContain('Failing: findings at or above high remain.')
  })
})

describe('the rule reference', () => {
  it('docs/checks.md is what `strato check rules --format markdown` writes, with a section per rule', async () => {
    const { readFileSync } = await import('node:fs')
    const { rulesReference } = await import('../../src/checks/rules-reference.js')
    const { ALL_RULES: rules } = await import('../../src/checks/rules/index.js')
    const written = readFileSync(new URL('../../docs/checks.md', import.meta.url), 'utf8')
    expect(written).toBe(rulesReference(rules))
    for (const rule of rules) expect(written).toContain(`### ${rule.id}\n`)
    expect(written).toContain('else **high**')
  })
})
