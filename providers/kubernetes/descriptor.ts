/**
 * What the kubernetes provider can do, as data. No client import: this file
 * loads on every run through providers/descriptors.ts.
 */
import { refuse, type ProviderDescriptor } from '../../src/capabilities.js'
import { diagnoseKubernetes } from './diagnose.js'
import { kubernetesLabelCodec } from './label-codec.js'

export const kubernetesDescriptor: ProviderDescriptor = {
  kind: 'kubernetes',
  title: 'Kubernetes',
  built: true,
  verbs: { deploy: true, scale: true, releases: true, rollback: true, logs: true, destroy: true, facts: true, metrics: true },
  rollout: {
    how: 'server-side apply of a Deployment (maxUnavailable 0, probes on the health path), watched until every replica is available; a stalled one is undone to the previous revision',
    healthGatedRollback: true,
    healthTimeoutSeconds: 120,
  },
  autoscaling: {
    driver: 'native',
    target: { cpu: true, memory: true, requests: true },
    // An HPA has no threshold rules: steps become a tracked value between their thresholds plus rate policies (README).
    steps: { cpu: true, memory: true, requests: true },
    schedules: refuse(
      'a HorizontalPodAutoscaler has no schedules, and strato does not drive a cron scaler such as KEDA yet',
      'remove the schedule for this target (run `strato scale SERVICE N` from cron), or place the service on an aws target',
    ),
    scaleInLimit: true,
    stabilization: true,
    cooldown: true,
  },
  spend: { source: 'provider', how: 'node prices (catalog by instance type, or targets.<name>.cost per node) allocated to pods by their requests, the OpenCost method' },
  labels: kubernetesLabelCodec,
  pricing: { model: 'hosts', shared: true },
  starter: (project) => ({ name: 'k8s', target: { provider: 'kubernetes', namespace: project } }),
  diagnose: diagnoseKubernetes,
}
