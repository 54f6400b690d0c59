// Plain HTTPS calls to the test cluster's API server (no kubectl needed on the machine).
import { request } from 'node:https'

/** One API call; resolves with the status, the body text and the parsed JSON when there is some. */
export function apiRequest({ server, ca, token }, method, urlPath, body) {
  return new Promise((resolve) => {
    const url = new URL(urlPath, server)
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request(url, {
      method,
      ca,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
      },
      timeout: 10_000,
    }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => { text += chunk })
      res.on('end', () => {
        let json
        try { json = JSON.parse(text) } catch { json = undefined }
        resolve({ status: res.statusCode ?? 0, text, json })
      })
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', (error) => resolve({ status: 0, text: error.message, json: undefined }))
    if (payload) req.write(payload)
    req.end()
  })
}

/** Polls `check` until it returns true; fails early when a started program has died. */
export async function waitFor(what, timeoutMs, check, processes = []) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if (await check()) return
    } catch { /* not yet */ }
    const dead = processes.find((entry) => !isRunning(entry.pid))
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}`)
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

function isRunning(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
