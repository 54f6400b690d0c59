/**
 * Targets that pull images (aws, azure, gcp, kubernetes) run image references. A build:
 * service is built locally and pushed to the target's registry first, tagged
 * with its version; the image map rewrites public base images in the
 * Dockerfile's ARG defaults and image: references (air-gapped sites).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { usageError, UserError } from '../src/errors.js'
import type { Service } from '../src/manifest/schema.js'
import type { Progress } from '../src/model.js'
import { buildContextOf } from '../src/planning/version.js'
import { mapImage, mappedBuildArgs, type ImageMap } from './image-map.js'

export function imageReference(registry: string, project: string, service: string, version: string): string {
  return `${registry.replace(/^https?:\/\//, '').replace(/\/+$/, '')}/${project}-${service}:${version}`
}

/** How a target's registry is named and logged in to, for the errors (default: ECR's). */
export interface RegistryWords {
  /** e.g. "an ECR repository host" */
  example: string
  /** e.g. "`docker login`" */
  login: string
}

/** The argv of `docker build` for a service; pure, so tests compare it exactly. `mapped` are build args the image map rewrites. */
export function dockerBuildArgs(projectDir: string, spec: Service, reference: string, mapped: Record<string, string> = {}): string[] {
  const build = buildContextOf(spec)!
  const args = ['build', '--tag', reference]
  if (build.dockerfile) args.push('--file', path.resolve(projectDir, build.context, build.dockerfile))
  for (const [key, value] of Object.entries({ ...mapped, ...build.args })) args.push('--build-arg', `${key}=${value}`)
  args.push(path.resolve(projectDir, build.context))
  return args
}

function dockerfileText(projectDir: string, spec: Service): string {
  const build = buildContextOf(spec)!
  try {
    return readFileSync(path.resolve(projectDir, build.context, build.dockerfile ?? 'Dockerfile'), 'utf8')
  } catch {
    return '' // docker build reports the missing Dockerfile itself
  }
}

/** The image a service runs on the target: its image:, or its build pushed to the target's registry. */
export async function imageFor(
  input: { project: string; service: string; spec: Service; version: string; registry?: string; targetName: string; projectDir: string; imageMap?: ImageMap; words?: RegistryWords },
  progress: Progress,
  signal?: AbortSignal,
): Promise<string> {
  const map = input.imageMap ?? {}
  if (input.spec.image) return mapImage(map, input.spec.image)
  if (!input.registry) {
    throw usageError(`Service ${input.service} is built from source, and target "${input.targetName}" has no registry to push it to.`,
      `Set targets.${input.targetName}.registry (the registry the target pulls from, e.g. ${input.words?.example ?? 'an ECR repository host'}), or give services.${input.service}.image.`)
  }
  const reference = imageReference(input.registry, input.project, input.service, input.version)
  progress.step(`${input.service}: building ${reference}`)
  // loaded only to build: importing it costs every cloud command about 100 ms of start-up
  const { execa } = await import('execa')
  try {
    await execa('docker', dockerBuildArgs(input.projectDir, input.spec, reference, mappedBuildArgs(dockerfileText(input.projectDir, input.spec), map)), { cancelSignal: signal })
    progress.step(`${input.service}: pushing ${reference}`)
    await execa('docker', ['push', reference], { cancelSignal: signal })
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-3) ?? []
    throw new UserError(`Building or pushing the image of ${input.service} to ${input.registry} failed.`, {
      code: 'failure', details: detail,
      fix: `Check that Docker runs, the Dockerfile builds with \`docker build\`, and you are logged in to the registry (${input.words?.login ?? '`docker login`'}).`,
    })
  }
  return reference
}
