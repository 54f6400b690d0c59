/** The export formats: each renders what a target would get, without touching it. */
import type { LoadedManifest } from '../src/manifest/load.js'
import { serviceVersions } from '../src/planning/project-plan.js'
import type { ExportResult } from '../providers/kubernetes/export.js'

export async function exportKubernetesObjects(loaded: LoadedManifest, target: string | undefined): Promise<ExportResult> {
  const { exportKubernetes } = await import('../providers/kubernetes/export.js')
  return exportKubernetes(loaded.manifest, serviceVersions(loaded.manifest, loaded.dir), target)
}
