// Regenerates schema/strato.schema.json from the built zod schema (run after `npm run build`).
import { writeFileSync } from 'node:fs'
import { manifestJsonSchema } from '../dist/src/manifest/json-schema.js'

writeFileSync(new URL('../schema/strato.schema.json', import.meta.url), `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`)
