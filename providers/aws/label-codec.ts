/**
 * AWS tags: keys up to 128 characters, values up to 256, both of letters,
 * digits, spaces and + - = . _ : / @; at most 50 per resource, and keys must
 * not start with "aws:". strato.project and friends fit as they are; a value
 * that does not (an e-mail with other characters, a long text) overflows.
 */
import { dottedCodec } from '../../src/labels.js'

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

export const awsTagCodec = dottedCodec({
  summary: 'keys up to 128 and values up to 256 characters of letters, digits, spaces and + - = . _ : / @; 50 tags',
  maxLabels: 50,
  fits: (key, value) => key.length <= 128 && value.length <= 256 && !key.startsWith('aws:') && TAG_TEXT.test(key) && TAG_TEXT.test(value),
})

/** strato's state keys in AWS tags (strato.project, ...), for filters and lookups. */
export const TAG = awsTagCodec.keys
