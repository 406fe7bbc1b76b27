// The passkey options (src/shared/auth/passkeys.ts) are made without @simplewebauthn/server, to
// keep its verification code out of the options routes: they must be what its generate functions
// make from the same inputs, field for field, but for the random challenge.
import test from 'tape'
import { generateAuthenticationOptions, generateRegistrationOptions } from '@simplewebauthn/server'
import { ALGORITHMS, CEREMONY_SECONDS, creationOptions, requestOptions } from '../../src/shared/auth/passkeys.ts'
import { RP_NAME } from '../../src/shared/auth/relying-party.ts'

const CHALLENGE = /^[\w-]{43}$/ // 32 bytes of base64url

test('registration options: the library\'s, for a sign-up and for a passkey added to an account', async t => {
  let account = { userId: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url'), display: 'Ada Ł 😀' }
  for (let [ label, exclude ] of [ [ 'a sign-up', [] ], [ 'an account that has two passkeys', [ { id: 'AAEC', transports: [ 'internal', 'hybrid' ] }, { id: 'b3RoZXI', transports: [] } ] ] ] as const) {
    let ours = creationOptions('localhost', account, exclude.map(passkey => ({ ...passkey, transports: [ ...passkey.transports ] })))
    let library = await generateRegistrationOptions({
      rpName: RP_NAME, rpID: 'localhost', userName: account.display, userDisplayName: account.display,
      userID: new Uint8Array(Buffer.from(account.userId, 'base64url')), attestationType: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: ALGORITHMS, timeout: CEREMONY_SECONDS * 1000,
      excludeCredentials: exclude.map(passkey => ({ id: passkey.id, transports: [ ...passkey.transports ] })),
      challenge: new Uint8Array(Buffer.from(ours.challenge, 'base64url')),
    })
    t.deepEqual(ours, library, `${label}: the same options`)
    t.match(ours.challenge, CHALLENGE, `${label}: a challenge of 32 random bytes`)
  }
  let twice = [ creationOptions('localhost', account, []).challenge, creationOptions('localhost', account, []).challenge ]
  t.notEqual(twice[0], twice[1], 'each challenge is new')
})

test('sign-in and fresh-check options: the library\'s, with no allowCredentials', async t => {
  let ours = requestOptions('app.example.com')
  let library = await generateAuthenticationOptions({
    rpID: 'app.example.com', userVerification: 'required', timeout: CEREMONY_SECONDS * 1000,
    challenge: new Uint8Array(Buffer.from(ours.challenge, 'base64url')),
  })
  // The library leaves unset fields undefined; JSON, which the browser gets, has none of them
  t.deepEqual(ours, JSON.parse(JSON.stringify(library)), 'the same options, as JSON')
  t.match(ours.challenge, CHALLENGE, 'a challenge of 32 random bytes')
  t.notEqual(requestOptions('app.example.com').challenge, ours.challenge, 'each challenge is new')
})
