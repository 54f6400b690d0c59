import path from 'node:path'
import { checkManifest, manifestError, resolveManifestPath, type ManifestProblem } from '../src/manifest/load.js'
import { readFileSync } from 'node:fs'
import { StratoCommand, manifestFlag } from '../cli/base.js'
import { descriptorOf } from '../providers/descriptors.js'

interface ValidateResult {
  file: string
  valid: boolean
  problems: ManifestProblem[]
}

export default class Validate extends StratoCommand {
  static override exitCodes = ['ok', 'usage'] as const
  static override summary = 'Check strato.yaml and print every problem with its line and column.'
  static override description = 'Checks the schema, the rules that span fields, and what each target\'s provider can do (regions it knows, autoscaling it can run), naming what to use instead. Exits 0 when the manifest is valid and 2 when it is not. Every command that reads the manifest runs the same validation first.'
  static override examples = [
    '<%= config.bin %> validate',
    '<%= config.bin %> validate -f deploy/strato.yaml',
    '<%= config.bin %> validate --json',
  ]

  static override flags = { manifest: manifestFlag }

  async run(): Promise<ValidateResult> {
    const { flags } = await this.parse(Validate)
    const file = resolveManifestPath(flags.manifest, process.cwd())
    const shown = path.relative(process.cwd(), file) || file
    const { problems } = checkManifest(readFileSync(file, 'utf8'), shown, descriptorOf)
    if (problems.length > 0) throw manifestError(shown, problems)
    this.out(`${this.style.green('✓')} ${shown} is valid.`)
    return { file: shown, valid: true, problems }
  }
}
