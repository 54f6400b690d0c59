import { existsSync } from 'node:fs'
import path from 'node:path'
import { Flags } from '@oclif/core'
import { execa } from 'execa'
import { manifestFlag, StratoCommand } from '../../cli/base.js'
import { loadCatalog } from '../../src/costs/catalog-file.js'
import { diffEstimates, diffJson, renderDiffCsv, renderDiffMarkdown, renderDiffTable } from '../../src/costs/diff.js'
import { estimateManifest } from '../../src/costs/estimate.js'
import { COST_FORMATS } from '../../src/costs/output-format.js'
import { usageError } from '../../src/errors.js'
import { loadManifestFile, parseManifest, type LoadedManifest } from '../../src/manifest/load.js'
import { descriptorOf } from '../../providers/descriptors.js'

export default class CostDiff extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'gate'] as const
  static override summary = 'What a change does to the monthly bill, per service and target.'
  static override description = 'Compares the estimate of strato.yaml with the estimate of a base: another manifest file, or the same manifest at a git ref (a branch, tag or commit). Both are priced with the same catalog. --format markdown writes a pull-request comment.'
  static override examples = [
    '<%= config.bin %> cost diff --base main',
    '<%= config.bin %> cost diff --base origin/main --format markdown > cost-comment.md',
    '<%= config.bin %> cost diff --base ../previous/strato.yaml --json',
  ]

  static override flags = {
    manifest: manifestFlag,
    base: Flags.string({ summary: 'A git ref (branch, tag, commit) or a manifest file to compare with.', required: true, helpValue: 'REF|FILE' }),
    format: Flags.string({ summary: 'Output format (--json for JSON).', options: [...COST_FORMATS], default: 'table' }),
    prices: Flags.string({ summary: 'Price catalog file (default: the refreshed one in ~/.config/strato, else the shipped snapshot).', helpValue: 'FILE' }),
  }

  async run() {
    const { flags } = await this.parse(CostDiff)
    const head = this.loadManifest(flags.manifest)
    const base = await this.loadBase(flags.base, head)
    const catalog = loadCatalog(flags.prices, process.env)
    const headEstimate = estimateManifest(head.manifest, catalog, descriptorOf)
    const baseEstimate = estimateManifest(base.manifest, catalog, descriptorOf)
    const progress = this.progress()
    for (const warning of new Set([...baseEstimate.warnings, ...headEstimate.warnings])) progress.warn(warning)
    const diff = diffEstimates(baseEstimate, headEstimate)
    if (flags.format === 'csv') this.out(renderDiffCsv(diff).trimEnd())
    else if (flags.format === 'markdown') this.out(renderDiffMarkdown(diff).trimEnd())
    else this.out(renderDiffTable(diff, this.style.bold))
    return diffJson(diff)
  }

  /** A file when one exists at that path, else the manifest as committed at a git ref. */
  private async loadBase(base: string, head: LoadedManifest): Promise<LoadedManifest> {
    if (existsSync(base)) return loadManifestFile(path.resolve(base))
    const name = path.basename(head.file)
    const result = await execa('git', ['show', `${base}:./${name}`], { cwd: head.dir, reject: false })
    if (result.exitCode !== 0) {
      const reason = String(result.stderr).split('\n')[0] || `git exited with ${result.exitCode}`
      throw usageError(`Cannot read ${name} at "${base}": ${reason}.`, 'Pass a branch, tag or commit that has the manifest, or a path to a manifest file.')
    }
    return parseManifest(String(result.stdout), `${base}:${name}`, head.file)
  }
}
