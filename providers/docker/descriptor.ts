/**
 * What the docker provider can do, as data: read by validate, plan, doctor,
 * cost and every command before it acts. No engine call, no import beyond
 * pure code: providers/descriptors.ts loads it on every run.
 */
import { refuse, type ProviderDescriptor } from '../../src/capabilities.js'
import { DEFAULT_DOCKER_HOST } from '../../src/manifest/defaults.js'
import { diagnoseDocker } from './diagnose.js'
import { dockerLabelCodec } from './label-codec.js'

const NO_REQUESTS = refuse(
  'docker targets measure container CPU and memory, not requests',
  'use target.cpu or target.memory, or place the service on an aws target to scale on requests',
)

export const dockerDescriptor: ProviderDescriptor = {
  kind: 'docker',
  title: 'Docker',
  built: true,
  verbs: { deploy: true, scale: true, releases: true, rollback: true, logs: true, destroy: true, facts: true, metrics: true },
  rollout: {
    how: 'new replicas start and turn healthy behind nginx before old ones drain (--surge at a time); swarm: start-first service updates',
    healthGatedRollback: true,
    healthTimeoutSeconds: 60,
  },
  autoscaling: {
    driver: 'controller',
    target: { cpu: true, memory: true, requests: NO_REQUESTS },
    steps: { cpu: true, memory: true, requests: NO_REQUESTS },
    schedules: refuse('strato\'s controller for docker targets has no schedules', 'run `strato scale SERVICE N` from cron, or place the service on an aws target'),
    scaleInLimit: true,
    stabilization: true,
    cooldown: true,
  },
  spend: { source: 'model', how: 'on-prem model: the hosts\' declared cost (targets.<name>.cost) shared by the running containers\' reservations' },
  labels: dockerLabelCodec,
  pricing: { model: 'hosts' },
  starter: () => ({ name: 'local', target: { provider: 'docker', hosts: [DEFAULT_DOCKER_HOST], mode: 'standalone' } }),
  diagnose: diagnoseDocker,
}
