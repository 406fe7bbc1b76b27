// Sealing and opening a cookie-mode cookie, for npm run bench: the wrapper's node:crypto AES-GCM
// against jose (the JOSE library it used before, still the tests' oracle), on the same token.
import { Bench } from 'tinybench'
import { CompactEncrypt, compactDecrypt } from 'jose'
import { decrypt, encrypt, keyOf } from '../src/shared/session/cookie-store.ts'

export interface CryptoResult { name: string, oursUs: number, joseUs: number }

export async function compareCrypto (secret: string): Promise<CryptoResult[]> {
  let key = keyOf(secret, 'A256GCM')
  let joseKey = key.bytes
  let payload = Buffer.from(JSON.stringify({ count: 5, user: { name: 'Ada Lovelace', account: 'ada lovelace', since: Date.now() }, cart: [ 'tea' ], _renewed: Date.now(), iat: Math.floor(Date.now() / 1000) }))
  let token = encrypt(payload, key)
  let allowed = { keyManagementAlgorithms: [ 'dir' ], contentEncryptionAlgorithms: [ 'A256GCM' ] }

  let suite = new Bench({ time: 1000, warmup: true })
  suite.add('ours open', () => { decrypt(token, key) })
  suite.add('jose open', async () => { await compactDecrypt(token, joseKey, allowed) })
  suite.add('ours seal', () => { encrypt(payload, key) })
  suite.add('jose seal', async () => { await new CompactEncrypt(payload).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(joseKey) })
  await suite.run()
  let p50 = (name: string) => {
    let result = suite.tasks.find(task => task.name === name)?.result
    if (!result || !('latency' in result)) throw new Error(`${name}: no result`)
    return result.latency.p50 * 1000
  }
  return [ 'open', 'seal' ].map(name => ({ name, oursUs: p50(`ours ${name}`), joseUs: p50(`jose ${name}`) }))
}
