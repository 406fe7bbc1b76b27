// What changes between `testing` and a deployed stage, checked on the built handlers (what Lambda
// runs) in a process of their own with ARC_ENV set: Secure cookies, and the refusal of weak secrets.
import test from 'tape'
import { start, end, mode } from '../helpers/sandbox.ts'
import { event } from '../helpers/lambda.ts'
import { warmLambda, sandboxEnv } from '../helpers/warm-lambda.ts'
import { randomSecret } from '../helpers/secrets.ts'

const STRONG = randomSecret()

test('start Sandbox (which builds the handlers)', start)

for (let [ stage, secure ] of [ [ 'testing', false ], [ 'staging', true ], [ 'production', true ] ] as const) {
  test(`${stage}: the cookie is ${secure ? '__Host-idx' : '_idx'}, HttpOnly, SameSite=Lax, Path=/${secure ? ', and Secure' : ', without Secure so http://localhost works'}`, async t => {
    let lambda = warmLambda(sandboxEnv({ ARC_ENV: stage, ARC_APP_SECRET: STRONG }))
    // Sign-out sets a cookie in both modes without touching DynamoDB (which only exists for `testing` here)
    let calls = [ lambda.call('post-logout', event({ method: 'POST', path: '/logout' })) ]
    if (mode === 'cookie') calls.push(lambda.call('post-count', event({ method: 'POST', path: '/count', json: { by: 1 } })))
    // Deployed, the name is `__Host-idx`, which the browser only accepts from this host over HTTPS
    let name = secure ? '__Host-idx' : '_idx'
    for (let { response } of await Promise.all(calls)) {
      let cookie = response.cookies?.[0] ?? ''
      t.match(cookie, new RegExp(`^${name}=[^;]*; Max-Age=\\d+; Path=/; HttpOnly`), cookie.split(';')[0].slice(0, 20) + '…')
      t.doesNotMatch(cookie, /Domain=/i, 'no Domain, so no other host shares it')
      t.match(cookie, /; SameSite=Lax/, 'SameSite=Lax')
      t.equal(/; Secure/.test(cookie), secure, secure ? 'Secure' : 'not Secure')
    }
    lambda.close()
  })
}

test('production refuses to run with a public secret: a generic 500 page, no details', async t => {
  let lambda = warmLambda(sandboxEnv({ ARC_ENV: 'production', ARC_APP_SECRET: '12345678901234567890123456789012' }))
  let { response } = await lambda.call('get-index', event({}))
  t.equal(response.statusCode, 500, 'a 500')
  t.match(String(response.body), /Something went wrong on our side/, 'a generic page')
  t.doesNotMatch(String(response.body), /ARC_APP_SECRET|at .*\.js/, 'no secret names or stack traces in the page')
  t.equal(response.headers?.['strict-transport-security'], 'max-age=31536000', 'still a production answer: HSTS')
  t.equal(response.headers?.['x-content-type-options'], 'nosniff', 'and the other standard headers')
  lambda.close()
})

test('refused settings in testing: the same page, without HSTS, which would pin localhost to HTTPS', async t => {
  let lambda = warmLambda(sandboxEnv({ ARC_APP_SECRET: 'too short' }))
  let { response } = await lambda.call('get-index', event({}))
  t.equal(response.statusCode, 500, 'a 500')
  t.match(String(response.body), /<h1>Something went wrong on our side<\/h1>/, 'the generic page')
  t.equal(response.headers?.['strict-transport-security'], undefined, 'no HSTS')
  lambda.close()
})

test('deployed: a POST is accepted only from https:// and this very host and port; testing keeps http://localhost', async t => {
  let post = (origin: string) => {
    let base = event({ method: 'POST', path: '/count', json: { by: 1 } })
    return { ...base, headers: { ...base.headers, host: 'app.example.com', origin } }
  }
  let production = warmLambda(sandboxEnv({ ARC_ENV: 'production', ARC_APP_SECRET: STRONG }))
  let statuses: [string, number][] = [
    [ 'https://app.example.com', 200 ],
    [ 'https://app.example.com:443', 200 ],
    [ 'http://app.example.com', 403 ],
    [ 'https://app.example.com:8443', 403 ],
    [ 'https://evil.example.com', 403 ],
  ]
  for (let [ origin, status ] of statuses) {
    let { response } = await production.call('post-count', post(origin))
    t.equal(response.statusCode, status, `Origin ${origin}: ${status}`)
  }
  production.close()
  let testing = warmLambda(sandboxEnv({ ARC_APP_SECRET: STRONG }))
  let { response } = await testing.call('post-count', { ...post('http://app.example.com') })
  t.equal(response.statusCode, 200, 'testing: http:// from the same host is fine (http://localhost)')
  testing.close()
})

test('end Sandbox', end)
