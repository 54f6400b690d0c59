#!/usr/bin/env node
// Development entry: same as run.js but oclif reports more detail on errors.
import { execute } from '@oclif/core'
await execute({ development: true, dir: import.meta.url })
