// With ARC_SESSION_DOMAIN, the session cookie is `__Secure-idx`, which any host under a parent domain
// can also set. Here the app is app.example.com with ARC_SESSION_DOMAIN=app.example.com, and
// evil.example.com plants its own session with `Domain=example.com`: a browser then sends both
// cookies, in an order the planter can influence. On the built handlers with ARC_ENV=production.
import test from 'tape'
import { start, end, mode } from '../helpers/sandbox.ts'
import { event, bodyOf } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv, DEPLOYED_ORIGIN, type Route, type WarmLambda } from '../helpers/warm-lambda.ts'
import { signedInCookie } from '../helpers/passkeys.ts'
import { randomSecret } from '../helpers/secrets.ts'
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'

const HOST = 'app.example.com'
let lambda: WarmLambda

/** A request as a browser sends it to https://app.example.com */
function atApp (call: Parameters<typeof event>[0]): Event {
  let sent = event(call)
  return { ...sent, headers: { ...sent.headers, host: HOST } }
}

const pairOf = (response: Response) => response.cookies?.find(c => c.startsWith('__Secure-idx=') && !/Max-Age=0/.test(c))?.split(';')[0] ?? ''

/** Every `__Secure-idx` this answer clears, by Domain ('' for the host-only cookie) */
const clearedDomains = (response: Response) => (response.cookies ?? [])
  .filter(c => c.startsWith('__Secure-idx=;') && /Max-Age=0/.test(c))
  .map(c => /Domain=([^;]+)/.exec(c)?.[1] ?? '')
  .sort()

async function signIn (name: string): Promise<string> {
  let calls = async (route: Route, sent: Event) => (await lambda.call(route, { ...sent, headers: { ...sent.headers, host: HOST } })).response
  let cookies = await signedInCookie(calls, name, { origin: DEPLOYED_ORIGIN })
  return cookies.split('; ').find(pair => pair.startsWith('__Secure-idx=')) ?? ''
}

async function stateOf (cookie: string) {
  return bodyOf((await lambda.call('get-index', atApp({ cookie }))).response)
}

test('start Sandbox and a production Lambda with ARC_SESSION_DOMAIN=app.example.com', async t => {
  await start(t)
  lambda = warmLambda(sandboxEnv({ ARC_ENV: 'production', ARC_APP_SECRET: randomSecret(), ARC_SESSION_DOMAIN: HOST }))
})

test('two session cookies of one name: neither is read, and the name is cleared here and at every parent domain', async t => {
  let victim = await signIn('Victim')
  let planted = await signIn('Mallory')
  for (let [ label, cookie ] of [ [ 'planted after', `${victim}; ${planted}` ], [ 'planted before', `${planted}; ${victim}` ] ]) {
    let logged = lambda.logs().length
    let { response } = await lambda.call('get-index', atApp({ cookie }))
    t.equal(bodyOf(response).user, null, `${label}: signed in as nobody, the planter least of all`)
    t.deepEqual(clearedDomains(response), [ '', 'app.example.com', 'example.com' ], `${label}: cleared host-only, at app.example.com and at example.com`)
    t.equal(response.headers?.['cache-control'], 'no-store', `${label}: and not cached`)
    let line = JSON.parse(lambda.logs()[logged]) as Record<string, string>
    t.deepEqual([ line.event, line.message ], [ 'session.rejected', 'several session cookies of one name: one was planted by another host' ], `${label}: logged`)
  }
})

test('a write with two session cookies starts a session of the visitor\'s own, and the planter\'s session gets none of it', async t => {
  let victim = await signIn('Victim')
  let planted = await signIn('Mallory')
  let { response } = await lambda.call('post-cart', atApp({ method: 'POST', path: '/cart', cookie: `${victim}; ${planted}`, json: { item: 'secret gift' } }))
  t.equal(response.statusCode, 200, '200')
  t.deepEqual([ bodyOf(response).user, bodyOf(response).cart ], [ null, [ 'secret gift' ] ], 'a new session with the item')
  let cookies = response.cookies ?? []
  let setAt = cookies.findIndex(c => c.startsWith('__Secure-idx=') && !/Max-Age=0/.test(c))
  t.ok(setAt > cookies.findLastIndex(c => /Max-Age=0/.test(c)), 'its cookie comes after the clearing ones, so a browser keeps it')
  t.deepEqual((await stateOf(planted)).cart, [], 'the planter\'s session did not get the item')
  t.deepEqual((await stateOf(pairOf(response))).cart, [ 'secret gift' ], 'the visitor\'s new one did')
})

test('sign-out clears the name here and at every parent domain, even with one cookie', async t => {
  let victim = await signIn('Victim')
  let { response } = await lambda.call('post-logout', atApp({ method: 'POST', path: '/logout', cookie: victim }))
  t.deepEqual(clearedDomains(response), [ '', 'app.example.com', 'example.com' ], 'so a cookie planted at example.com goes too')
  let replay = await stateOf(victim)
  if (mode === 'table') t.equal(replay.user, null, 'table mode: and the session is over')
  else t.deepEqual(replay.user, { name: 'Victim' }, 'cookie mode: a copy still opens until it expires (nothing to revoke)')
})

test('sign-out with two session cookies clears both from the browser, and ends neither on the server (which is the visitor\'s cannot be told)', async t => {
  let victim = await signIn('Victim')
  let planted = await signIn('Mallory')
  let { response } = await lambda.call('post-logout', atApp({ method: 'POST', path: '/logout', cookie: `${victim}; ${planted}` }))
  t.deepEqual(clearedDomains(response), [ '', 'app.example.com', 'example.com' ], 'cleared everywhere')
  t.deepEqual((await stateOf(planted)).user, { name: 'Mallory' }, 'the planter\'s own session is not touched on their behalf')
})

test('stop the Lambda and Sandbox', async t => {
  lambda.close()
  await end(t)
})
