/**
 * Azure tags: names up to 512 characters without < > % & \ ? /, values up to
 * 256 characters of any text, at most 50 per resource. strato's dotted names
 * fit as they are; a value longer than 256 characters overflows.
 */
import { dottedCodec } from '../../src/labels.js'

export const azureTagCodec = dottedCodec({
  summary: 'names up to 512 characters without < > % & \\ ? /, values up to 256 characters; 50 tags',
  maxLabels: 50,
  fits: (key, value) => key.length <= 512 && !/[<>%&\\?/]/.test(key) && value.length <= 256,
})
