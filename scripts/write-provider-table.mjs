#!/usr/bin/env node
// Rewrites the provider table in README.md from the built descriptors (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs'
import { DESCRIPTORS } from '../dist/providers/descriptors.js'
import { renderProviderTable, TABLE_END, TABLE_START } from '../dist/src/provider-table.js'

const file = new URL('../README.md', import.meta.url)
const text = readFileSync(file, 'utf8')
const start = text.indexOf(TABLE_START)
const end = text.indexOf(TABLE_END)
if (start === -1 || end === -1) throw new Error(`README.md has no ${TABLE_START} ... ${TABLE_END} section`)
writeFileSync(file, text.slice(0, start) + renderProviderTable(Object.values(DESCRIPTORS)) + text.slice(end + TABLE_END.length))
console.log('README.md provider table rewritten from the descriptors.')
