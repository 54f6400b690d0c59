/**
 * Cloud targets run image references. A build: service is built locally and
 * pushed to the target's registry first, tagged with its version. Shared by
 * the cloud providers (aws, gcp); it knows no provider.
 */
import path from 'node:path'
import { usageError, UserError } from '../src/errors.js'
import type { Service } from '../src/manifest/schema.js'
import type { Progress } from '../src/model.js'
import { buildContextOf } from '../src/planning/version.js'

export function imageReference(registry: string, project: string, service: string, version: string): string {
  return `${registry.replace(/\/+$/, '')}/${project}-${service}:${version}`
}

/** The argv of `docker build` for a service; pure, so tests compare it exactly. */
export function dockerBuildArgs(projectDir: string, spec: Service, reference: string): string[] {
  const build = buildContextOf(spec)!
  const args = ['build', '--tag', reference]
  if (build.dockerfile) args.push('--file', path.resolve(projectDir, build.context, build.dockerfile))
  for (const [key, value] of Object.entries(build.args ?? {})) args.push('--build-arg', `${key}=${value}`)
  args.push(path.resolve(projectDir, build.context))
  return args
}

/** The image a service runs on the target: its image:, or its build pushed to the target's registry. */
export async function imageFor(
  input: {
    project: string; service: string; spec: Service; version: string; registry?: string; targetName: string; projectDir: string
    /** what a registry host of this cloud looks like, for the fix when none is set */
    registryExample: string
  },
  progress: Progress,
  signal?: AbortSignal,
): Promise<string> {
  if (input.spec.image) return input.spec.image
  if (!input.registry) {
    throw usageError(`Service ${input.service} is built from source, and target "${input.targetName}" has no registry to push it to.`,
      `Set targets.${input.targetName}.registry (e.g. ${input.registryExample}), or give services.${input.service}.image.`)
  }
  const reference = imageReference(input.registry, input.project, input.service, input.version)
  progress.step(`${input.service}: building ${reference}`)
  // loaded only to build: importing it costs every cloud command about 100 ms of start-up
  const { execa } = await import('execa')
  try {
    await execa('docker', dockerBuildArgs(input.projectDir, input.spec, reference), { cancelSignal: signal })
    progress.step(`${input.service}: pushing ${reference}`)
    await execa('docker', ['push', reference], { cancelSignal: signal })
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-3) ?? []
    throw new UserError(`Building or pushing the image of ${input.service} to ${input.registry} failed.`, {
      code: 'failure', details: detail,
      fix: 'Check that Docker runs, the Dockerfile builds with `docker build`, and you are logged in to the registry (`docker login`).',
    })
  }
  return reference
}
