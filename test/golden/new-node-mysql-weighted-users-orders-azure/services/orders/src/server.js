/**
 * Runs the HTTP server and stops it gracefully: on SIGTERM it stops accepting
 * connections, lets requests in flight finish (up to a deadline), then closes
 * the database pools, so a rolling deploy drops no requests.
 */
import http from 'node:http'

export function startServer({ handler, port, log, shutdownTimeoutMs, onClose = async () => {}, exit = (code) => process.exit(code) }) {
  const server = http.createServer(handler)
  // Keep-alive connections outlive a load balancer's idle timeout of 60 s, so it closes them first.
  server.keepAliveTimeout = 65_000
  let stopping
  const stop = (signal) => {
    if (stopping) return stopping
    log.info('shutting down', { signal })
    stopping = new Promise((resolve) => {
      const deadline = setTimeout(() => {
        log.error('requests still running at the shutdown deadline; closing them', { shutdownTimeoutMs })
        server.closeAllConnections()
      }, shutdownTimeoutMs)
      deadline.unref()
      server.close(async () => {
        clearTimeout(deadline)
        try {
          await onClose()
          log.info('stopped')
          resolve(0)
        } catch (error) {
          log.error('closing resources failed', { error: error.message })
          resolve(1)
        }
      })
      server.closeIdleConnections()
    }).then((code) => {
      exit(code)
      return code
    })
    return stopping
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  const listening = new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, () => {
      log.info('listening', { port: server.address().port })
      resolve(server.address().port)
    })
  })
  return { server, listening, stop }
}
