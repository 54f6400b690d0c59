/**
 * What a scale set runs: the service's image: as given, or its build:
 * built locally and pushed to the target's registry (an Azure Container
 * Registry host; `az acr login --name <registry>` first), tagged with the
 * version. VMs pull ACR images with their own identity (custom data).
 */
import path from 'node:path'
import { execa } from 'execa'
import { usageError, UserError } from '../../src/errors.js'
import type { Service } from '../../src/manifest/schema.js'
import type { Progress } from '../../src/model.js'
import { buildContextOf } from '../../src/planning/version.js'

export function imageReference(registry: string, project: string, service: string, version: string): string {
  return `${registry.replace(/^https?:\/\//, '').replace(/\/+$/, '')}/${project}-${service}:${version}`
}

/** `docker build` for a service; pure, so tests compare it exactly. */
export function buildArgs(projectDir: string, spec: Service, reference: string): string[] {
  const build = buildContextOf(spec)!
  const args = ['build', '--tag', reference]
  if (build.dockerfile) args.push('--file', path.resolve(projectDir, build.context, build.dockerfile))
  for (const [key, value] of Object.entries(build.args ?? {})) args.push('--build-arg', `${key}=${value}`)
  args.push(path.resolve(projectDir, build.context))
  return args
}

export async function imageFor(
  input: { project: string; service: string; spec: Service; version: string; registry?: string; targetName: string; projectDir: string },
  progress: Progress,
  signal?: AbortSignal,
): Promise<string> {
  if (input.spec.image) return input.spec.image
  if (!input.registry) {
    throw usageError(`Service ${input.service} is built from source, and target "${input.targetName}" has no registry to push it to.`,
      `Set targets.${input.targetName}.registry to an Azure Container Registry host (e.g. myregistry.azurecr.io), or give services.${input.service}.image.`)
  }
  const reference = imageReference(input.registry, input.project, input.service, input.version)
  progress.step(`${input.service}: building ${reference}`)
  try {
    await execa('docker', buildArgs(input.projectDir, input.spec, reference), { cancelSignal: signal })
    progress.step(`${input.service}: pushing ${reference}`)
    await execa('docker', ['push', reference], { cancelSignal: signal })
  } catch (error) {
    throw new UserError(`Building or pushing the image of ${input.service} to ${input.registry} failed.`, {
      code: 'failure', details: (error as { stderr?: string }).stderr?.trim().split('\n').slice(-3) ?? [],
      fix: `Check that Docker runs, the Dockerfile builds with \`docker build\`, and you are logged in to the registry (\`az acr login --name ${input.registry.split('.')[0]}\`).`,
    })
  }
  return reference
}
