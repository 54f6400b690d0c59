/** doctor's check for a kubernetes target: a kubeconfig where the client looks (whether the cluster answers shows on first use). */
import type { DoctorCheck, DoctorProbes } from '../../src/doctor.js'
import type { Target } from '../../src/manifest/schema.js'

export async function diagnoseKubernetes(name: string, target: Target, probes: DoctorProbes): Promise<DoctorCheck[]> {
  const own = (target as { kubeconfig?: string }).kubeconfig
  const fromEnv = (probes.env.KUBECONFIG ?? '').split(':').filter(Boolean)
  const found = own ? probes.fileExists(own.replace(/^~(?=\/)/, probes.env.HOME ?? '~')) && own
    : fromEnv.length ? fromEnv.find((file) => probes.fileExists(file))
      : probes.homeFileExists('.kube/config') && '~/.kube/config'
  return [found
    ? { name: 'kubeconfig', target: name, status: 'ok', detail: `${found}${(target as { context?: string }).context ? `, context ${(target as { context?: string }).context}` : ''}` }
    : { name: 'kubeconfig', target: name, status: 'fail', detail: own ? `${own} does not exist` : 'none in KUBECONFIG or ~/.kube/config', fix: 'Write one with your cluster\'s CLI (e.g. `aws eks update-kubeconfig`, `gcloud container clusters get-credentials`, `az aks get-credentials`) or set targets.<name>.kubeconfig.' }]
}
