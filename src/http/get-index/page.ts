// The one page of the app: plain HTML forms, so counting and the cart work with JavaScript off.
// Passkeys need the page's one script (script.ts).
import { escapeHtml, when } from '../../shared/http.ts'
import { messageFor, type AppData } from '../../shared/app.ts'
import type { Session, Storage } from '../../shared/session.ts'
import { ICON } from '../../shared/session/http.ts'
import { SCRIPT } from './script.ts'
import { STYLE } from '../../shared/style.ts'

export { STYLE }

const MODE_TEXT = {
  cookie: (name: string) => `<strong>Cookie mode.</strong> The whole session is encrypted into the <code>${name}</code> cookie;
    the server stores none of it (signed in, it keeps only the time the account last signed out everywhere). Signing out clears the cookie in this browser, but a copy of it
    stays valid until it expires, or until you sign out everywhere: there is nothing on the server to revoke.`,
  table: (name: string) => `<strong>Table mode.</strong> The <code>${name}</code> cookie holds only a signed id; the data is a
    row in the DynamoDB <code>session</code> table with a <code>_ttl</code> expiry. Signing out deletes
    the row, so a copied cookie stops working at once.`,
}

// What "Your sessions" can do in each mode
const SESSIONS_TEXT = {
  cookie: `Cookie mode keeps no list of your sessions, and cannot end one alone: each is in its own
    browser's cookie. It can end all of them but this one, or all of them: each device is signed out
    at its next request, within a minute.`,
  table: `Every device you are signed in on is a row in the session table: see them all, and end any
    one of them, the others, or all; each is signed out at its next request.`,
}

/** What this visitor's session looks like right now: sizes and names, never the secret or the cookie */
function storedHere (storage: Storage, mode: Session<AppData>['mode']): string {
  if (!storage.expiresAt) return '<p id="stored">You have no session yet: no cookie, and nothing on the server.</p>'
  let cookie = `Your browser holds a <strong>${storage.cookieBytes}-byte</strong> <code>${storage.cookieName}</code> cookie`
  if (mode === 'cookie' || !storage.rowId) {
    return `<p id="stored">${cookie} with the whole session in it, encrypted. It expires ${when(storage.expiresAt)} unless you come back.</p>`
  }
  // Only the start of the id: it is half of the key to this session (the signature is the other half)
  return `<p id="stored">${cookie}: a signed id. Your data is the row <code>${escapeHtml(storage.rowId.slice(0, 8))}…</code>
    in the <code>session</code> table, with <code>_ttl</code> ${when(storage.expiresAt)}, when DynamoDB deletes it unless you come back.</p>`
}

export function page (session: Session<AppData>): string {
  let { count, user, cart } = session.data
  let items = cart.length
    ? `<ul>${cart.map(item => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`
    : '<p>Your cart is empty.</p>'
  let message = messageFor(session)
  let flash = message ? `<p class="flash" role="alert">${escapeHtml(message)}</p>` : ''
  // The passkey forms post to the passkey routes; the page's script (script.ts) takes them over
  let who = user
    ? `<p>Signed in as <strong>${escapeHtml(user.name)}</strong>.</p>
       <form method="post" action="/passkeys/register/options" data-passkey="register">
         <button id="add-passkey" class="secondary">Add a passkey (another device)</button>
       </form>
       <form method="post" action="/logout"><button id="sign-out" class="secondary">Sign out</button></form>`
    : `<form method="post" action="/passkeys/register/options" data-passkey="register">
         <label for="name">Your name <input id="name" name="name" maxlength="40" autocomplete="username webauthn" required></label>
         <button id="sign-up">Sign up with a passkey</button>
       </form>
       <form method="post" action="/passkeys/login/options" data-passkey="login">
         <button id="sign-in">Sign in with a passkey</button>
       </form>
       <label class="inline" for="remember"><input type="checkbox" id="remember"> Keep me signed in on this device (for signing up or in)</label>
       <details>
         <summary>Lost every passkey? Sign in with your recovery code</summary>
         <form method="post" action="/recover" data-recover>
           <label for="recover-name">Your name <input id="recover-name" name="name" maxlength="40" autocomplete="username" required></label>
           <label for="recover-code">Recovery code <input id="recover-code" name="code" maxlength="64" autocomplete="off" spellcheck="false" required></label>
           <button id="recover">Sign in with the code</button>
         </form>
       </details>`
  // Filled in by the page's script from GET /passkeys, so this page's own answer stays as cheap as ever
  let passkeys = user ? `<section aria-labelledby="your-passkeys">
    <h2 id="your-passkeys">Your passkeys</h2>
    <ul id="passkeys"><li>Your passkeys are listed here when JavaScript is on.</li></ul>
    <p id="recovery-status"></p>
    <form method="post" action="/recover/new" data-new-code><button id="new-recovery-code" class="secondary">Make a new recovery code</button></form>
  </section>` : ''
  let sessions = user ? `<section aria-labelledby="your-sessions">
    <h2 id="your-sessions">Your sessions</h2>
    <p>${SESSIONS_TEXT[session.mode]}</p>
    <p><a href="/sessions" id="see-sessions">See your sessions</a></p>
    <form method="post" action="/logout/others"><button id="sign-out-others" class="secondary">Sign out everywhere else</button></form>
    <form method="post" action="/logout/everywhere" data-fresh><button id="sign-out-everywhere" class="secondary">Sign out everywhere</button></form>
  </section>` : ''
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Architect sessions: ${count}</title>
  ${ICON}
  <style>${STYLE}</style>
</head>
<body>
<main>
  <h1>Architect sessions</h1>
  ${flash}
  <section aria-labelledby="counter">
    <h2 id="counter">Counter</h2>
    <p>You have counted</p>
    <p class="count" id="count">${count}</p>
    <p>The count and the cart belong to this session: signing out ends them.</p>
    <form method="post" action="/count">
      <label for="by">Add <input id="by" name="by" type="number" inputmode="numeric" value="1" min="1" max="100"></label>
      <button id="count-button">Count</button>
    </form>
  </section>
  <section aria-labelledby="account">
    <h2 id="account">Account</h2>
    <div id="passkey-error"></div>
    <div id="recovery-code" class="shown-once" role="status" hidden>
      <p>Your recovery code: <code id="code"></code></p>
      <p>It is your way back into the account if you lose every passkey. Keep it somewhere safe: it is shown only this once.</p>
      <button type="button" id="code-kept">I have kept it</button>
    </div>
    ${who}
    <noscript><p>Signing up and in with a passkey needs JavaScript; counting and the cart work without it.</p></noscript>
  </section>
  ${passkeys}
  ${sessions}
  <section aria-labelledby="cart">
    <h2 id="cart">Cart</h2>
    ${items}
    <form method="post" action="/cart">
      <label for="item">Item <input id="item" name="item" maxlength="100" required></label>
      <button id="add-to-cart">Add to cart</button>
    </form>
  </section>
  <aside aria-labelledby="where">
    <h2 id="where">What is stored where</h2>
    <p>${MODE_TEXT[session.mode](session.storage.cookieName)}</p>
    ${storedHere(session.storage, session.mode)}
  </aside>
</main>
<script>${SCRIPT}</script>
</body>
</html>`
}
