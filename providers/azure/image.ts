/**
 * The image an azure target runs (providers/image-build.ts): image: (through
 * the image map), or a build pushed to the target's Azure Container Registry
 * (`az acr login --name <registry>` first). VMs pull ACR images with their
 * own identity.
 */
import type { Service } from '../../src/manifest/schema.js'
import type { Progress } from '../../src/model.js'
import { imageFor as built } from '../image-build.js'
import { imageMapFrom } from '../image-map.js'

export interface ImageRequest {
  project: string
  service: string
  spec: Service
  version: string
  registry?: string
  targetName: string
  projectDir: string
  /** --image-map */
  imageMap?: string
}

export function imageFor(input: ImageRequest, progress: Progress, signal?: AbortSignal): Promise<string> {
  const registryName = (input.registry ?? '').replace(/^https?:\/\//, '').split('.')[0] || '<registry>'
  return built({
    ...input, imageMap: imageMapFrom(input.imageMap),
    words: { example: 'an Azure Container Registry host such as myregistry.azurecr.io', login: `\`az acr login --name ${registryName}\`` },
  }, progress, signal)
}
