/** Defaults the manifest may leave out, applied in one place. */
import type { Manifest, Target } from './schema.js'

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock'
export const DEFAULT_TARGET_NAME = 'local'

/** The manifest's targets, or the embedded default: the local Docker engine. */
export function effectiveTargets(manifest: Manifest | undefined): Record<string, Target> {
  if (manifest?.targets && Object.keys(manifest.targets).length > 0) return manifest.targets
  return { [DEFAULT_TARGET_NAME]: { provider: 'docker', hosts: [DEFAULT_DOCKER_HOST], mode: 'standalone' } }
}

/** Desired replicas of a service before placement: replicas, else autoscale.min, else 1. */
export function desiredReplicas(service: Manifest['services'][string]): number {
  return service.replicas ?? service.autoscale?.min ?? 1
}
