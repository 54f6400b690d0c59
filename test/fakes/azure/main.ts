/**
 * `npm run fake -- azure`: runs the fake in the foreground and prints one
 * JSON line, `{"endpoint": "...", "caFile": "..."}`, then serves until
 * interrupted. Options: --port N (default: a free port).
 */
import { parseArgs } from 'node:util'
import { startAzureFake } from './server.ts'

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' } } })
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port number`)
  const fake = await startAzureFake({ port })
  process.stdout.write(`${JSON.stringify({ endpoint: fake.endpoint, caFile: fake.caFile })}\n`)
  process.stderr.write([
    `Azure fake on ${fake.endpoint} (subscription ${fake.subscriptionId}, tenant ${fake.tenantId}).`,
    `Point strato at it: targets.<name>.endpoint: ${fake.endpoint} and subscription: ${fake.subscriptionId},`,
    `and export NODE_EXTRA_CA_CERTS=${fake.caFile} AZURE_AUTHORITY_HOST=${fake.endpoint}`,
    `AZURE_TENANT_ID=${fake.tenantId} AZURE_CLIENT_ID=<any> AZURE_CLIENT_SECRET=<any>. Ctrl-C stops it.`,
    '',
  ].join('\n'))
  const stop = () => { void fake.close().then(() => process.exit(0)) }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
