/** The JSON Schema of strato.yaml, generated from the same zod schema that validates it. */
import { z } from 'zod'
import { ManifestSchema } from './schema.js'

export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ManifestSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  return {
    ...schema,
    $id: 'https://strato.dev/schema/strato.schema.json',
    title: 'strato.yaml',
    description: 'The strato project manifest: services, targets, placement, autoscaling, budgets and checks.',
  }
}
