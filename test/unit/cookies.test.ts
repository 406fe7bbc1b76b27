// Which session cookie a request sent, and the Set-Cookie headers that write and clear it.
import test from 'tape'
import { readSettings, type Settings } from '../../src/shared/session/config.ts'
import { clearCookie, domainsOf, sentCookie, setCookie, shadowedCookie } from '../../src/shared/session/cookies.ts'
import { event } from '../helpers/lambda.ts'
import { randomSecret } from '../helpers/secrets.ts'

function settingsFor (env: Record<string, string> = {}): Settings {
  let setup = readSettings({ ARC_APP_SECRET: randomSecret(), ...env })
  if (!setup.ok) throw new Error(setup.problem)
  return setup.settings
}

const local = settingsFor()
const deployed = settingsFor({ ARC_ENV: 'production' })

test('the session cookie sent, with its size as sent', t => {
  t.deepEqual(sentCookie(event({ cookie: 'theme=dark; _idx=last%2Bone' }), local), { name: '_idx', value: 'last+one', bytes: 15, legacy: false }, 'the session cookie is found among others, percent-decoded')
  t.equal(sentCookie(event({ cookie: 'theme=dark' }), local), null, 'none at all')
  t.equal(sentCookie(event({ cookie: '_idx=' }), local), null, 'an empty one is none')
  let header = { ...event({}), cookies: undefined, headers: { host: 'localhost:3333', cookie: 'a=1; _idx=from-the-header' } }
  t.equal(sentCookie(header, local)?.value, 'from-the-header', 'from a Cookie header too, when API Gateway gives no cookies array')
  t.end()
})

test('several values under the session cookie\'s name: none is read, and the name is reported as shadowed', t => {
  let twice = event({ cookie: '_idx=first; theme=dark; _idx=second' })
  t.equal(sentCookie(twice, local), null, 'Architect would read the last, which a sibling host may have planted')
  t.equal(shadowedCookie(twice, local), '_idx', 'two different values of one name: that name is shadowed')
  let same = event({ cookie: '_idx=one; _idx=one' })
  t.equal(sentCookie(same, local)?.value, 'one', 'one value sent twice is one session')
  t.equal(shadowedCookie(same, local), null, 'the same value twice: not shadowed')
  t.equal(shadowedCookie(event({ cookie: '_idx=planted; __Host-idx=own' }), deployed), null, 'deployed: an _idx beside __Host-idx is another name, ignored')
  t.equal(shadowedCookie(event({ cookie: '_idx=a; _idx=b' }), deployed), '_idx', 'deployed: two legacy _idx, and no __Host-idx')
  t.end()
})

test('a cookie longer than any the wrapper writes is not worth reading: up to 4096 characters are', t => {
  t.equal(sentCookie(event({ cookie: `_idx=${'a'.repeat(4096)}` }), local)?.value.length, 4096, '4096: read (and then refused by the store)')
  t.equal(sentCookie(event({ cookie: `_idx=${'a'.repeat(4097)}` }), local), null, '4097: not even read')
  t.end()
})

test('deployed, __Host-idx counts; an old _idx is read only without one, and marked as legacy', t => {
  t.deepEqual(sentCookie(event({ cookie: '_idx=old; __Host-idx=new' }), deployed), { name: '__Host-idx', value: 'new', bytes: 14, legacy: false }, 'deployed: __Host-idx is read before a legacy _idx')
  t.deepEqual(sentCookie(event({ cookie: '_idx=old' }), deployed), { name: '_idx', value: 'old', bytes: 8, legacy: true }, 'deployed: a legacy _idx alone is read, marked legacy')
  t.equal(sentCookie(event({ cookie: '__Host-idx=new' }), local), null, 'locally, only _idx')
  t.end()
})

test('Set-Cookie: HttpOnly, Path=/, SameSite and Secure as configured, the Max-Age given', t => {
  let [ header ] = setCookie({ statusCode: 200 }, local, '_idx', 'v', 60).cookies ?? []
  t.equal(header, '_idx=v; Max-Age=60; Path=/; HttpOnly; SameSite=Lax', 'the cookie header carries Max-Age, Path, HttpOnly and SameSite')
  let [ secure ] = setCookie({ statusCode: 200, cookies: [ 'theme=dark' ] }, deployed, '__Host-idx', 'v', 60).cookies?.slice(1) ?? []
  t.equal(secure, '__Host-idx=v; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax', 'deployed: Secure, after the app\'s own cookies')
  t.end()
})

test('clearing a cookie clears the host-only one, and with a Domain the Domain one too; never a Domain on __Host-', t => {
  t.deepEqual(clearCookie({ statusCode: 200 }, local, '_idx').cookies, [ '_idx=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax' ], 'no Domain configured: one header')
  let withDomain = settingsFor({ ARC_ENV: 'production', ARC_SESSION_DOMAIN: 'example.com' })
  t.deepEqual(clearCookie({ statusCode: 200 }, withDomain, '_idx').cookies, [
    '_idx=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
    '_idx=; Max-Age=0; Domain=example.com; Path=/; HttpOnly; Secure; SameSite=Lax',
  ], 'a Domain configured: both')
  t.deepEqual(clearCookie({ statusCode: 200 }, withDomain, '__Host-idx').cookies, [ '__Host-idx=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax' ], 'a __Host- cookie cannot carry one')
  t.end()
})

test('the domains a cookie may have been set at: the host and its parents, down to two labels', t => {
  t.deepEqual(domainsOf('app.example.com'), [ 'app.example.com', 'example.com' ], 'a host and the domains above it')
  t.deepEqual(domainsOf('A.B.Example.CO.UK:443'), [ 'a.b.example.co.uk', 'b.example.co.uk', 'example.co.uk', 'co.uk' ], 'a browser ignores the public suffix co.uk')
  for (let host of [ 'localhost:3333', '127.0.0.1:3333', '[::1]:3333', undefined, '', 'bad host.com', 'evil.com;domain=x', 'app.example.com:443.evil.com' ]) {
    t.deepEqual(domainsOf(host), [], `${JSON.stringify(host)}: none`)
  }
  t.end()
})

test('clearing at a host clears the host-only cookie, the configured Domain, and the host with each parent, once each', t => {
  let withDomain = settingsFor({ ARC_ENV: 'production', ARC_SESSION_DOMAIN: 'app.example.com' })
  t.deepEqual(clearCookie({ statusCode: 200 }, withDomain, '__Secure-idx', 'app.example.com').cookies, [
    '__Secure-idx=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
    '__Secure-idx=; Max-Age=0; Domain=app.example.com; Path=/; HttpOnly; Secure; SameSite=Lax',
    '__Secure-idx=; Max-Age=0; Domain=example.com; Path=/; HttpOnly; Secure; SameSite=Lax',
  ], 'clearing a cookie clears it on the host and on each domain above it')
  t.deepEqual(clearCookie({ statusCode: 200 }, deployed, '__Host-idx', 'app.example.com').cookies, [ '__Host-idx=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax' ], '__Host-: never a Domain')
  let dotted = settingsFor({ ARC_ENV: 'production', ARC_SESSION_DOMAIN: '.Example.com' })
  t.deepEqual((clearCookie({ statusCode: 200 }, dotted, '__Secure-idx', 'app.example.com').cookies ?? []).map(header => /Domain=([^;]+)/.exec(header)?.[1] ?? ''), [ '', 'example.com', 'app.example.com' ], 'a configured `.Example.com` is example.com, cleared once')
  let [ set ] = setCookie({ statusCode: 200 }, withDomain, '__Host-idx', 'v', 60).cookies ?? []
  t.notOk(/Domain=/.test(set), 'a __Host- cookie is set without the configured Domain')
  t.end()
})
