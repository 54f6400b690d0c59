/**
 * The image an azure target runs (providers/pushed-image.ts): image:, or a
 * build pushed to the target's Azure Container Registry (`az acr login
 * --name <registry>` first). VMs pull ACR images with their own identity.
 */
import type { Progress } from '../../src/model.js'
import { pushedImage, type ImageRequest } from '../pushed-image.js'

export function imageFor(input: ImageRequest, progress: Progress, signal?: AbortSignal): Promise<string> {
  return pushedImage(input, {
    example: 'an Azure Container Registry host such as myregistry.azurecr.io',
    login: (registry) => `\`az acr login --name ${registry.replace(/^https?:\/\//, '').split('.')[0]}\``,
  }, progress, signal)
}
