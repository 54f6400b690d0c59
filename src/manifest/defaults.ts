/** Defaults the manifest may leave out, applied in one place; and choosing among its targets. */
import { usageError } from '../errors.js'
import type { Manifest, Target } from './schema.js'

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock'
export const DEFAULT_TARGET_NAME = 'local'

/** The target a manifest without targets deploys to: the local Docker engine. */
export const DEFAULT_TARGET: Target = { provider: 'docker', hosts: [DEFAULT_DOCKER_HOST], mode: 'standalone' }

/** The manifest's targets, or the embedded default. */
export function effectiveTargets(manifest: Manifest | undefined): Record<string, Target> {
  if (manifest?.targets && Object.keys(manifest.targets).length > 0) return manifest.targets
  return { [DEFAULT_TARGET_NAME]: DEFAULT_TARGET }
}

/** Desired replicas of a service before placement: replicas, else autoscale.min, else 1. */
export function desiredReplicas(service: Manifest['services'][string]): number {
  return service.replicas ?? service.autoscale?.min ?? 1
}

/** The targets a command should act on: all of them, or the one named by --target. */
export function selectTargets(targets: Record<string, unknown> | undefined, only: string | undefined): string[] {
  const names = Object.keys(targets ?? {})
  if (only === undefined) return names
  if (!names.includes(only)) {
    throw usageError(`Unknown target "${only}".`, names.length ? `Use one of: ${names.join(', ')}.` : 'Add a targets section to strato.yaml.')
  }
  return [only]
}
