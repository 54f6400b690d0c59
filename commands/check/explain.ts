import { Args } from '@oclif/core'
import { StratoCommand } from '../../cli/base.js'
import { usageError } from '../../src/errors.js'
import { closest } from '../../src/suggest.js'
import { ALL_RULES, ruleById } from '../../src/checks/rules/index.js'
import { paintSeverity, referenceText } from '../../src/checks/report-formats.js'

export default class CheckExplain extends StratoCommand {
  static override exitCodes = ['ok', 'usage'] as const
  static override summary = 'Explain one rule: why it matters and how to fix it.'
  static override examples = ['<%= config.bin %> check explain DKR-001']

  static override args = {
    rule: Args.string({ description: 'Rule id, e.g. DKR-001 (see `strato check rules`).', required: true }),
  }

  async run() {
    const { args } = await this.parse(CheckExplain)
    const rule = ruleById(args.rule)
    if (!rule) {
      const suggestion = closest(args.rule.toUpperCase(), ALL_RULES.map((item) => item.id))
      throw usageError(`No rule ${args.rule}.${suggestion ? ` Did you mean ${suggestion}?` : ''}`, 'List the rules with `strato check rules`.')
    }
    const style = this.style
    this.out(`${style.bold(`${rule.id} ${rule.title}`)}  ${paintSeverity(rule.severity, style)}  ${style.dim(`pack: ${rule.pack}`)}`)
    this.out()
    this.out(style.bold('Why'))
    this.out(`  ${rule.rationale}`)
    this.out()
    this.out(style.bold('Fix'))
    this.out(`  ${rule.remediation}`)
    if (rule.reads.length) {
      this.out()
      this.out(style.bold('Reads'))
      this.out(`  ${rule.reads.join(', ')}`)
    }
    const references = referenceText(rule)
    if (references.length) {
      this.out()
      this.out(style.bold('References'))
      for (const reference of references) this.out(`  ${reference}`)
    }
    this.out()
    this.out(style.dim(`Suppress with a reason: checks.skip [{ id: ${rule.id}, reason: "...", until: YYYY-MM-DD }] in strato.yaml, or # strato:ignore ${rule.id} <reason>`))
    const { check: _check, ...info } = rule
    return info
  }
}
