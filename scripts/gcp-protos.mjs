#!/usr/bin/env node
// Build step: writes the compute protos each client the gcp provider uses needs, pruned from
// @google-cloud/compute's 12 MB protos.json, next to the built provider
// (dist/providers/gcp/compute-protos.json). See providers/gcp/compute-protos.ts.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { COMPUTE_SERVICES, PRUNED_FILE, computePackage, pruneComputeProtos } = await import(path.join(root, 'dist/providers/gcp/compute-protos.js'))
const { protosPath, version } = computePackage()
const full = JSON.parse(readFileSync(protosPath, 'utf8'))
const services = Object.fromEntries(COMPUTE_SERVICES.map((service) => [service, pruneComputeProtos(full, [service])]))
const out = path.join(root, 'dist/providers/gcp', PRUNED_FILE)
const text = JSON.stringify({ version, services })
writeFileSync(out, text)
console.error(`wrote ${path.relative(root, out)} (${Math.round(text.length / 1024)} KB, compute ${version})`)
