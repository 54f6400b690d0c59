import { Flags } from '@oclif/core'
import { StratoCommand } from '../../cli/base.js'
import { SEVERITIES } from '../../src/manifest/schema.js'
import { ALL_RULES } from '../../src/checks/rules/index.js'
import { paintSeverity, referenceText } from '../../src/checks/report-formats.js'
import { renderTable } from '../../src/output/table.js'
import { rulesReference } from '../../src/checks/rules-reference.js'
import { atOrAbove, type Severity } from '../../src/checks/types.js'

const PACKS = [...new Set(ALL_RULES.map((rule) => rule.pack))]

export default class CheckRules extends StratoCommand {
  static override exitCodes = ['ok', 'usage'] as const
  static override summary = 'List every check rule with its severity and references.'
  static override examples = ['<%= config.bin %> check rules', '<%= config.bin %> check rules --pack dockerfile', '<%= config.bin %> check rules --format markdown']

  static override flags = {
    pack: Flags.string({ summary: 'Only rules of this pack.', options: PACKS }),
    severity: Flags.string({ summary: 'Only rules at or above this severity.', options: [...SEVERITIES] }),
    format: Flags.string({ summary: 'Output format (--json for JSON).', options: ['table', 'markdown'], default: 'table' }),
  }

  async run() {
    const { flags } = await this.parse(CheckRules)
    const rules = ALL_RULES
      .filter((rule) => !flags.pack || rule.pack === flags.pack)
      .filter((rule) => !flags.severity || atOrAbove(rule.severity, flags.severity as Severity))
    const references = (rule: (typeof rules)[number]) => referenceText(rule).map((text) => text.split(':')[0]).join('; ')
    if (flags.format === 'markdown') {
      if (!this.jsonEnabled()) process.stdout.write(rulesReference(rules))
    } else {
      this.out(renderTable(['RULE', 'SEVERITY', 'PACK', 'TITLE', 'REFERENCES'], rules.map((rule) => [rule.id, paintSeverity(rule.severity, this.style), rule.pack, rule.title, references(rule)]), { header: this.style.dim }))
    }
    return rules.map(({ check: _check, ...info }) => info)
  }
}
