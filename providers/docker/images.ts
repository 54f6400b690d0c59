/** Images for a service on one host: built from its build context, or an image: reference (mapped, pulled if missing). */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { UserError } from '../../src/errors.js'
import type { Service } from '../../src/manifest/schema.js'
import { buildContextOf } from '../../src/planning/version.js'
import { DockerCommandError, type DockerHost } from './engine.js'
import { mapImage, mappedBuildArgs, type ImageMap } from '../image-map.js'
import { labelArgs, names, projectLabels, ROLE } from './naming.js'
import { dockerArgv } from './argv.js'

export async function imageExists(host: DockerHost, ref: string): Promise<boolean> {
  const result = await host.tryRun(dockerArgv.imageId(ref))
  if (!result.ok && result.error instanceof UserError) throw result.error
  return result.ok
}

export interface ImageRequest {
  project: string
  service: string
  version: string
  config: Service
  projectDir: string
  imageMap: ImageMap
}

/** Ensures the service's image is on the host and returns its reference. */
export async function ensureServiceImage(host: DockerHost, request: ImageRequest): Promise<string> {
  const build = buildContextOf(request.config)
  if (!build) return ensurePulled(host, mapImage(request.imageMap, request.config.image!), request.service)
  // Tags are the content version, never latest: an existing tag is this exact build.
  const tag = names.image(request.project, request.service, request.version)
  if (await imageExists(host, tag)) return tag
  const context = path.resolve(request.projectDir, build.context)
  const dockerfile = path.resolve(context, build.dockerfile ?? 'Dockerfile')
  let dockerfileText: string
  try {
    dockerfileText = readFileSync(dockerfile, 'utf8')
  } catch {
    throw new UserError(`Service "${request.service}" has no Dockerfile at ${path.relative(request.projectDir, dockerfile)}.`, {
      code: 'usage',
      fix: `Add a Dockerfile to ${build.context}, or set services.${request.service}.build.dockerfile.`,
    })
  }
  const args = dockerArgv.build({
    tag, dockerfile, context,
    labels: projectLabels(request.project, ROLE.image, { service: request.service, version: request.version }),
    buildArgs: { ...mappedBuildArgs(dockerfileText, request.imageMap), ...build.args },
  })
  try {
    await host.run(args, { env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 900_000 })
  } catch (error) {
    if (error instanceof DockerCommandError) {
      throw new UserError(`Building the image of service "${request.service}" failed on ${host.label}.`, {
        code: 'failure',
        fix: `Fix the Dockerfile in ${build.context} (try: docker build ${build.context}); base images that cannot be pulled here can be mapped to local ones with --image-map.`,
        details: error.stderr.trim().split('\n').slice(-8),
      })
    }
    throw error
  }
  return tag
}

async function ensurePulled(host: DockerHost, ref: string, service: string): Promise<string> {
  if (await imageExists(host, ref)) return ref
  const pulled = await host.tryRun(dockerArgv.pull(ref), { timeoutMs: 600_000 })
  if (pulled.ok) return ref
  if (pulled.error instanceof UserError) throw pulled.error
  throw new UserError(`The image ${ref} of service "${service}" is not on ${host.label} and cannot be pulled.`, {
    code: 'failure',
    fix: 'Load it on the host (docker load), or map it to an image that is there with --image-map (e.g. postgres:16.4-bookworm=local/postgres:15).',
  })
}
