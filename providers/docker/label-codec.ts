/**
 * Docker labels hold any text, so strato's state keeps its dotted names
 * (strato.project, strato.image, ...) and nothing ever overflows.
 */
import { dottedCodec } from '../../src/labels.js'

export const dockerLabelCodec = dottedCodec({
  summary: 'any text; strato keeps its keys under strato.',
  // The engine sets no limit; a resource carries about ten of strato's.
  maxLabels: 1000,
  fits: () => true,
})
