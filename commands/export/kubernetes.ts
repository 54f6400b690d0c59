import { writeFileSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { StratoCommand, manifestFlag } from '../../cli/base.js'
import { exportKubernetesObjects } from '../../cli/export.js'
import type { ExportResult } from '../../providers/kubernetes/export.js'

export default class ExportKubernetes extends StratoCommand {
  static override summary = 'Write the Kubernetes objects a kubernetes target would get, as YAML.'
  static override description = `For teams that deploy through GitOps (Argo CD, Flux): the namespace, each service's Deployment, Service, ConfigMap, PodDisruptionBudget and HorizontalPodAutoscaler, and the shared Ingress, as \`strato deploy\` would apply them.
Secret values are never written: the Deployments refer to a Secret per service, and the command lists the ones to create (for example with Sealed Secrets or External Secrets).
Without a kubernetes target in strato.yaml, every service is exported with the default settings (namespace = project name).`
  static override examples = [
    '<%= config.bin %> export kubernetes > k8s/shop.yaml',
    '<%= config.bin %> export kubernetes --target k8s --out deploy/k8s.yaml',
    '<%= config.bin %> export kubernetes --json',
  ]

  static override flags = {
    manifest: manifestFlag,
    target: Flags.string({ char: 't', summary: 'The kubernetes target to export (default: the first one).', helpValue: 'NAME' }),
    out: Flags.string({ char: 'o', summary: 'Write the YAML to this file instead of stdout.', helpValue: 'FILE' }),
  }

  async run(): Promise<Omit<ExportResult, 'yaml'>> {
    const { flags } = await this.parse(ExportKubernetes)
    const result = await exportKubernetesObjects(this.loadManifest(flags.manifest), flags.target)
    const progress = this.progress()
    for (const warning of result.warnings) progress.warn(warning)
    for (const secret of result.secrets) progress.warn(`create Secret ${secret.name} in namespace ${result.namespace} with keys ${secret.keys.join(', ')}: export never writes secret values`)
    if (flags.out) {
      writeFileSync(flags.out, result.yaml)
      progress.done(`Wrote ${result.objects.length} objects for target ${result.target} to ${flags.out}`)
    } else {
      this.out(result.yaml.trimEnd())
    }
    const { yaml: _yaml, ...data } = result
    return data
  }
}
