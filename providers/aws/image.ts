/** The image an aws target runs (providers/pushed-image.ts): image:, or a build pushed to an ECR repository. */
import type { Progress } from '../../src/model.js'
import { pushedImage, type ImageRequest } from '../pushed-image.js'

export { dockerBuildArgs, imageReference } from '../pushed-image.js'

export function imageFor(input: ImageRequest, progress: Progress, signal?: AbortSignal): Promise<string> {
  return pushedImage(input, { example: 'an ECR repository host', login: () => '`docker login`' }, progress, signal)
}
