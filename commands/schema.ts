import { writeFileSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { manifestJsonSchema } from '../src/manifest/json-schema.js'
import { StratoCommand } from '../cli/base.js'

export default class Schema extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage'] as const
  static override summary = 'Print the JSON Schema of strato.yaml, for editors and other tools.'
  static override description = 'Editors that speak the YAML language server complete and validate strato.yaml with it: starter repos reference it from their first line.'
  static override examples = [
    '<%= config.bin %> schema > strato.schema.json',
    '<%= config.bin %> schema --out .strato/schema.json',
  ]

  static override flags = {
    out: Flags.string({ char: 'o', summary: 'Write the schema to this file instead of stdout.', helpValue: 'FILE' }),
  }

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(Schema)
    const schema = manifestJsonSchema()
    if (flags.out) {
      writeFileSync(flags.out, `${JSON.stringify(schema, null, 2)}\n`)
      process.stderr.write(`Wrote ${flags.out}\n`)
    } else if (!this.jsonEnabled()) {
      this.out(JSON.stringify(schema, null, 2))
    }
    return schema
  }
}
