import { Flags } from '@oclif/core'
import { setTimeout as sleep } from 'node:timers/promises'
import { StratoCommand, manifestFlag, targetFlag } from '../cli/base.js'
import { inventories, openTargets } from '../cli/targets.js'
import { renderTable } from '../src/output/table.js'
import { desiredState } from '../src/planning/desired.js'
import { serviceVersions } from '../src/planning/project-plan.js'
import { statusRows, type StatusRow } from '../src/planning/status.js'

export default class Status extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'notSupported'] as const
  static override summary = 'Services, replicas, health, versions and endpoints per target.'
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --watch',
    '<%= config.bin %> status --target aws --json',
  ]

  static override flags = {
    manifest: manifestFlag,
    target: targetFlag,
    watch: Flags.boolean({ char: 'w', summary: 'Refresh until interrupted.' }),
    interval: Flags.integer({ summary: 'Seconds between refreshes with --watch.', default: 2, min: 1 }),
  }

  async run(): Promise<{ project: string; services: StatusRow[] }> {
    const { flags } = await this.parse(Status)
    const loaded = this.loadManifest(flags.manifest)
    const targets = await openTargets(loaded, flags.target, this.progress())
    const { manifest } = loaded
    const versions = serviceVersions(manifest, loaded.dir)
    const desired = desiredState(manifest, targets.targets, versions).filter((entry) => targets.open.some((open) => open.name === entry.target))
    try {
      for (;;) {
        const resources = Object.values(await inventories(targets.open, manifest.name)).flat()
        const rows = statusRows(desired, resources)
        if (flags.watch && !this.jsonEnabled()) process.stdout.write('\u001B[2J\u001B[H')
        this.out(renderTable(
          ['TARGET', 'SERVICE', 'HOST', 'DESIRED', 'RUNNING', 'HEALTHY', 'VERSION', 'RESTARTS', 'ENDPOINT'],
          rows.map((row) => [row.target, row.service, row.host, String(row.desired), String(row.running), String(row.healthy), row.versions.join(',') || '-', String(row.restarts), row.endpoint ?? '-']),
          { header: this.style.bold, alignRight: [3, 4, 5, 7] },
        ))
        if (!flags.watch || this.jsonEnabled()) return { project: manifest.name, services: rows }
        await sleep(flags.interval * 1000)
      }
    } finally {
      await targets.close()
    }
  }
}
