/**
 * Azure refuses a Linux VM without a login: a password or an SSH key. strato
 * gives its scale sets an RSA public key made for the deploy and keeps no
 * private key, so nobody can log in; operators use the serial console or
 * run-command instead.
 */
import { generateKeyPairSync } from 'node:crypto'

/** An SSH wire-format string or multiple-precision integer field: 4-byte length, then the bytes. */
function field(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(bytes.length)
  return Buffer.concat([length, bytes])
}

/** mpint: big-endian, with a leading zero byte when the top bit is set. */
function mpint(base64url: string): Buffer {
  const bytes = Buffer.from(base64url, 'base64url')
  return field(bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes)
}

/** A fresh `ssh-rsa AAAA... strato` public key whose private half is dropped. */
export function throwawaySshPublicKey(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 })
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string }
  const blob = Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(jwk.e), mpint(jwk.n)])
  return `ssh-rsa ${blob.toString('base64')} strato-no-login`
}
