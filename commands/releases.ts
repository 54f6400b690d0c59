import { StratoCommand, manifestFlag, targetFlag } from '../cli/base.js'
import { openTargets, providerSettings } from '../cli/targets.js'
import { renderTable } from '../src/output/table.js'
import type { ReleaseRecord } from '../providers/provider.js'

export default class Releases extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'conflict', 'notSupported'] as const
  static override summary = 'List the versions deployed, read back from the targets.'
  static override examples = [
    '<%= config.bin %> releases',
    '<%= config.bin %> releases --json',
  ]

  static override flags = { manifest: manifestFlag, target: targetFlag }

  async run(): Promise<{ project: string; targets: Record<string, ReleaseRecord[]> }> {
    const { flags } = await this.parse(Releases)
    const loaded = this.loadManifest(flags.manifest)
    const targets = await openTargets(loaded, flags.target, this.progress(), providerSettings(), 'releases')
    const out: Record<string, ReleaseRecord[]> = {}
    try {
      for (const { name, provider } of targets.open) {
        out[name] = await provider.releases()
        const rows = out[name].flatMap((release) => Object.entries(release.services).map(([service, entry], index) => [
          index === 0 ? name : '', index === 0 ? String(release.number) : '', index === 0 ? release.at : '', index === 0 ? release.by : '', index === 0 ? release.kind : '',
          service, entry.version, String(entry.replicas), entry.image,
        ]))
        this.out(renderTable(['TARGET', 'RELEASE', 'WHEN', 'BY', 'KIND', 'SERVICE', 'VERSION', 'REPLICAS', 'IMAGE'], rows, { header: this.style.bold }))
      }
    } finally {
      await targets.close()
    }
    return { project: loaded.manifest.name, targets: out }
  }
}
