import { writeFileSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { manifestFlag, numberFlag, StratoCommand } from '../cli/base.js'
import { imageMapFlag } from '../cli/targets.js'
import { collectGate } from '../cli/gate-inputs.js'
import { rulesDocUrlFrom } from '../src/checks/report-formats.js'
import { ALL_RULES } from '../src/checks/rules/index.js'
import { renderGateJunit, renderGateSarif } from '../src/gate/machine-formats.js'
import { renderGateMarkdown } from '../src/gate/markdown.js'
import { evaluateGate, gateJson } from '../src/gate/result.js'
import { SEVERITIES } from '../src/manifest/schema.js'

export default class Gate extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'gate', 'unreachable', 'denied'] as const
  static override summary = 'Judge a change for a pull request: manifest, new findings, cost against the base, and the plan.'
  static override description = `Validates strato.yaml, runs the static checks on the change and on its base, diffs the monthly cost estimate against the base, and plans every target that can be reached (--offline skips planning). The base is the merge base of HEAD and --base (default: the default branch: origin/HEAD, else main or master).
Prints one Markdown report for a pull-request comment (the verdict first, then collapsible sections; no timestamps, so an unchanged result gives the same text), and writes SARIF, JUnit and Markdown files where asked.
Findings already present on the base are listed but only fail the gate with --fail-on-existing.
Exit codes: 0 passed; 2 the manifest is not valid; 3 a gate failed (new findings at or above --fail-on, the cost rising more than --max-increase, the estimate over the budget); 5 or 4 a target this change affects refused the credentials or could not be reached.`
  static override examples = [
    '<%= config.bin %> gate',
    '<%= config.bin %> gate --base origin/main --max-increase 10% --sarif strato.sarif --junit gate.xml --markdown gate.md',
    '<%= config.bin %> gate --offline --fail-on medium --max-increase 50 --budget 800',
    '<%= config.bin %> gate --fail-on-existing --json',
  ]

  static override flags = {
    manifest: manifestFlag,
    base: Flags.string({ summary: 'Branch, tag or commit the change goes into; compared at its merge base with HEAD (default: the default branch).', helpValue: 'REF' }),
    offline: Flags.boolean({ summary: 'Do not plan against the targets (no provider is contacted).' }),
    'fail-on': Flags.string({ summary: 'Fail on new findings at or above this severity (default: checks.failOn, else high).', options: [...SEVERITIES, 'none'] }),
    'fail-on-existing': Flags.boolean({ summary: 'Findings already present on the base fail the gate too.' }),
    'max-increase': Flags.string({ summary: 'Fail when the expected monthly cost rises by more than this amount, or percent of the base (e.g. 50 or 10%); repeatable.', helpValue: 'AMOUNT|PERCENT', multiple: true }),
    budget: Flags.string({ summary: 'Monthly budget the expected estimate must stay within (overrides budgets.monthly).', helpValue: 'AMOUNT' }),
    prices: Flags.string({ summary: 'Price catalog file (default: the refreshed one in ~/.config/strato, else the shipped snapshot).', helpValue: 'FILE' }),
    'image-map': imageMapFlag,
    markdown: Flags.string({ summary: 'Also write the Markdown report to this file.', helpValue: 'FILE' }),
    sarif: Flags.string({ summary: 'Write the findings as SARIF (new or unchanged against the base) for code scanning.', helpValue: 'FILE' }),
    junit: Flags.string({ summary: 'Write one JUnit test case per gate.', helpValue: 'FILE' }),
  }

  async run() {
    const { flags } = await this.parse(Gate)
    const progress = this.progress()
    const collected = await collectGate({
      manifest: flags.manifest,
      base: flags.base,
      offline: flags.offline,
      failOn: flags['fail-on'],
      failOnExisting: flags['fail-on-existing'],
      maxIncrease: flags['max-increase'] ?? [],
      budget: flags.budget === undefined ? undefined : numberFlag('budget', flags.budget),
      prices: flags.prices,
      settings: { imageMap: flags['image-map'] },
      today: new Date().toISOString().slice(0, 10),
      env: process.env,
    }, process.cwd(), progress)
    const result = evaluateGate(collected.input)
    const markdown = renderGateMarkdown(result)

    if (flags.markdown) writeFileSync(flags.markdown, markdown)
    if (flags.junit) writeFileSync(flags.junit, renderGateJunit(result))
    if (flags.sarif) {
      const sarif = renderGateSarif(collected.head, collected.base, ALL_RULES, {
        version: this.config.version, rulesDocUrl: rulesDocUrlFrom(process.env), targetAnchors: collected.project.targetAnchors, manifestAnchor: collected.project.manifestAnchor,
      })
      writeFileSync(flags.sarif, `${JSON.stringify(sarif, null, 2)}\n`)
    }
    for (const file of [flags.markdown, flags.sarif, flags.junit].filter(Boolean)) progress.done(`Wrote ${file}`)
    this.out(markdown.trimEnd())
    if (result.verdict === 'pass') progress.done(result.headline)
    else progress.warn(result.headline)
    process.exitCode = result.exitCode
    return gateJson(result)
  }
}
