// An account's sessions, which the account can see and end: GET /sessions, POST /sessions/end,
// POST /logout/others and POST /logout/everywhere; and what happened to it: GET /activity. What each mode can do is the wrapper's
// (sessionsOf, endSession, Reply.endOthers); this is what the app answers.
//
// - Table mode lists every live session of the account (a Query of the session table's index on
//   the owner) and ends any of them at once: their rows are deleted.
// - Cookie mode keeps no list: it shows this session alone, cannot end another one alone, and ends
//   all the others (or all) by recording when the account signed out everywhere; a warm Lambda
//   rereads that at most once a minute (SESSION_REVOCATION_CHECK_SECONDS), the longest a session
//   ended elsewhere can still be used.
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import * as v from 'valibot'
import { AppSession, done, state, type AppData } from '../app.ts'
import { escapeHtml, html, json, readFields, redirect, textField, wantsJson, when } from '../http.ts'
import { ICON } from '../session/http.ts'
import { STYLE } from '../style.ts'
import { clock } from '../session/clock.ts'
import { endSession, sessionsOf, type Reply, type Session } from '../session.ts'
import { activityOf, record, type Activity } from './activity.ts'
import { checkFirst, isFresh, lastCheck } from './fresh.ts'

type Answer = Promise<Reply<AppData>>
type User = NonNullable<AppData['user']>

/** One session as GET /sessions lists it. `handle` names it and opens nothing: it is never a cookie or a row id. */
export interface Listed {
  handle: string
  current: boolean
  device: string
  signedInAt: number
  lastSeenAt: number
  /** Bound to its device (DBSC): a copy of its cookies stops working within SESSION_BOUND_SECONDS */
  bound: boolean
}

const SIGN_IN_FIRST = 'Sign in to see and end your sessions'
const COOKIE_MODE_CANNOT = 'Cookie mode cannot end one session alone: the session is in that browser\'s cookie, and nothing on the server can take it back. "Sign out everywhere else" ends all of them but this one, within a minute.'

/** The account's sessions: every live one in table mode, this one alone in cookie mode */
async function listed (session: Session<AppData>, user: User): Promise<{ listable: boolean, sessions: Listed[] }> {
  let handle = session.storage.handle ?? ''
  let here: Listed = { handle, current: true, device: user.device, signedInAt: user.since, lastSeenAt: clock.now(), bound: session.storage.bound !== null }
  let owned = await sessionsOf(AppSession, user.account)
  if (!owned) return { listable: false, sessions: [ here ] }
  let sessions = owned.map(({ handle: other, signedInAt, lastSeenAt, bound, data }) => ({
    handle: other, current: other === handle, device: data.user?.device ?? '', signedInAt, lastSeenAt, bound,
  }))
  // The index is eventually consistent: a session signed in a moment ago may not be in it yet
  if (!sessions.some(s => s.current)) sessions.unshift(here)
  return { listable: true, sessions: sessions.sort((a, b) => b.lastSeenAt - a.lastSeenAt) }
}

/** GET /sessions: `{ listable, sessions }` for JSON clients, a page otherwise */
export async function listSessions (event: Event, session: Session<AppData>): Answer {
  let user = session.data.user
  if (!user) return deny(event, 401, SIGN_IN_FIRST)
  let list = await listed(session, user)
  if (wantsJson(event)) return json(200, list)
  return html(200, sessionsPage(list, (await activityOf(user.account)).slice(0, RECENT), session.flash), [ STYLE ])
}

// How many of the latest events the sessions page shows; GET /activity lists more
const RECENT = 10

/** GET /activity: `{ events }`, the account's security activity, newest first (JSON, whatever is asked) */
export async function listActivity (_event: Event, session: Session<AppData>): Answer {
  let user = session.data.user
  if (!user) return json(401, { error: 'Sign in to see your account\'s activity' })
  return json(200, { events: await activityOf(user.account) })
}

/** POST /sessions/end with `{ handle }`: ends that session (table mode); this one is a sign-out */
export async function endOne (event: Event, session: Session<AppData>): Answer {
  let user = session.data.user
  if (!user) return deny(event, 401, SIGN_IN_FIRST)
  if (session.mode === 'cookie') return deny(event, 409, COOKIE_MODE_CANNOT)
  let body = readFields(event)
  let handle = body.ok ? textField(body.fields, 'handle', 64) : null
  if (!handle) return deny(event, 400, body.ok ? 'Say which session to end: "handle"' : body.error)
  if (handle === session.storage.handle) return signedOut(event, session)
  // Only the owner's sessions are looked at: another account's handle ends nothing
  if (!await endSession(user.account, handle)) return deny(event, 404, 'None of your sessions has that handle; it may have ended already')
  await record(event, user.account, { type: 'session-ended', device: user.device, handle })
  return wantsJson(event) ? json(200, await listed(session, user)) : { ...redirect('/sessions'), flash: 'That session has ended' }
}

/** POST /logout/others: every other session of the account ends; this one stays, re-issued */
export async function endOthers (event: Event, session: Session<AppData>): Answer {
  let user = session.data.user
  if (!user) return deny(event, 401, SIGN_IN_FIRST)
  // The wrapper ends them, and re-issues this one signed in from that moment: in cookie mode,
  // that is what keeps it valid past the "signed out before" time it records. That is no passkey
  // check, so the last one is kept as it was: a copied cookie cannot make itself fresh this way.
  let answer = done(event, session, { ...session.data, user: { ...user, since: clock.now(), checked: lastCheck(user) } })
  await record(event, user.account, { type: 'signed-out-others', device: user.device, handle: session.storage.handle ?? undefined })
  return { ...answer, endOthers: true, flash: wantsJson(event) ? undefined : 'Your other sessions have ended' }
}

/** POST /logout/everywhere: every session of the account ends, this one too */
export async function endEverywhere (event: Event, session: Session<AppData>): Answer {
  let user = session.data.user
  if (!user) return deny(event, 401, SIGN_IN_FIRST)
  // It would lock the owner out of every other device: a copied cookie must not be enough
  if (!isFresh(user)) return checkFirst(event)
  await record(event, user.account, { type: 'signed-out-everywhere', device: user.device, handle: session.storage.handle ?? undefined })
  // The others, and this one by signing out
  return { ...signedOut(event, session), endOthers: true }
}

function signedOut (event: Event, session: Session<AppData>): Reply<AppData> {
  // JSON clients see the state a new visitor starts from
  let fresh = { ...session, data: v.parse(AppSession, {}), flash: null }
  return { ...(wantsJson(event) ? json(200, state(fresh)) : redirect('/')), destroy: true }
}

/** A request the visitor may not make here: a 4xx with `{ error }`, or a message on the page */
function deny (event: Event, status: number, message: string): Reply<AppData> {
  return wantsJson(event) ? json(status, { error: message }) : { ...redirect('/'), flash: message }
}

/** The page of GET /sessions: the list, an End button for each (table mode), and what this mode can do */
function sessionsPage ({ listable, sessions }: { listable: boolean, sessions: Listed[] }, events: Activity[], flash: string | null): string {
  let rows = sessions.map(s => `<li><strong>${escapeHtml(s.device || 'A device')}</strong>${s.current ? ' (this one)' : ''}:
    signed in ${when(s.signedInAt)}, last seen ${when(s.lastSeenAt)}${s.bound ? ', bound to its device' : ''}
    ${listable && !s.current ? `<form method="post" action="/sessions/end"><input type="hidden" name="handle" value="${escapeHtml(s.handle)}"><button class="secondary">End</button></form>` : ''}</li>`)
  let note = listable
    ? '<p>Ending a session signs that device out at its next request.</p>'
    : `<p>${escapeHtml(COOKIE_MODE_CANNOT)}</p>`
  let happened = events.map(e => `<li>${escapeHtml(EVENT_NAMES[e.type])}, ${when(e.at)}, ${escapeHtml(e.device || 'a device')}</li>`)
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Your sessions</title>${ICON}<style>${STYLE}</style></head><body><main>
    <h1>Your sessions</h1>${flash ? `<p class="flash" role="alert">${escapeHtml(flash)}</p>` : ''}<ul id="sessions">${rows.join('')}</ul>${note}
    <form method="post" action="/logout/others"><button id="sign-out-others">Sign out everywhere else</button></form>
    <form method="post" action="/logout/everywhere"><button id="sign-out-everywhere" class="secondary">Sign out everywhere</button></form>
    <h2>Recent activity</h2><ul id="activity">${happened.join('') || '<li>Nothing yet</li>'}</ul>
    <p><a href="/">Back</a></p></main></body></html>`
}

/** How the page names each event */
const EVENT_NAMES: Record<Activity['type'], string> = {
  'signed-up': 'Signed up',
  'signed-in': 'Signed in',
  'passkey-added': 'Passkey added',
  'passkey-renamed': 'Passkey renamed',
  'passkey-removed': 'Passkey removed',
  'session-ended': 'A session was ended',
  'signed-out-others': 'Signed out everywhere else',
  'signed-out-everywhere': 'Signed out everywhere',
  'counter-went-back': 'A passkey answer was refused: its counter went back (a copy of the passkey?)',
  'recovered': 'Signed in with the recovery code',
  'recovery-code-made': 'A new recovery code was made',
}
