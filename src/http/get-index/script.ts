// The page's only script: passkey sign-up and sign-in, your passkeys, and recovery codes. It is served inline and allowed by its
// hash in the page's Content-Security-Policy, so it needs no request of its own and nothing else
// can run. It uses the browser's own WebAuthn JSON methods rather than @simplewebauthn/browser:
// `PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON` turn our
// routes' JSON into what `navigator.credentials` takes, and `credential.toJSON()` turns its answer
// back. That is all the library would do for us, so the page ships no bundle for it.
// These are Baseline 2025 (MDN): Chrome and Edge 129, Firefox 119, Safari 18.4. An older browser
// is told so, and counting and the cart work with no script at all.
//
// The forms it takes over are plain forms: without the script they post to the same routes,
// which answer that passkeys need JavaScript.
export const SCRIPT = `
// A refusal is shown like the page's other messages, as an alert
const notice = document.getElementById('passkey-error')
const say = message => {
  const alert = document.createElement('p')
  alert.className = 'flash'
  alert.setAttribute('role', 'alert')
  alert.textContent = message
  notice.replaceChildren(alert)
}

const send = async (path, body) => {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) })
  return { res, answer: await res.json() }
}

// Adding a passkey or signing out everywhere needs a recent passkey check: refused with
// reauthenticate, the page runs the check, then asks once more
async function post (path, body) {
  let { res, answer } = await send(path, body)
  if (res.status === 403 && answer.reauthenticate) {
    await ceremony('verify', {})
    ;({ res, answer } = await send(path, body))
  }
  if (!res.ok) throw Object.assign(new Error(answer.error), { answer })
  return answer
}

// kind: 'register', 'login' or 'verify' (a signed-in user's check); body: what the options route takes
async function ceremony (kind, body) {
  if (!window.PublicKeyCredential?.parseCreationOptionsFromJSON) {
    throw new Error('This browser cannot use passkeys here: it needs Chrome or Edge 129, Firefox 119 or Safari 18.4, or later')
  }
  const options = await post('/passkeys/' + kind + '/options', body)
  let credential
  try {
    credential = kind === 'register'
      ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
      : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) })
  }
  catch (err) {
    throw new Error(err.name === 'NotAllowedError' ? 'No passkey was used: the request was cancelled or timed out' : 'Your browser could not use a passkey (' + err.name + ')')
  }
  try {
    return await post('/passkeys/' + kind, credential.toJSON())
  }
  catch (err) {
    // A passkey this site no longer knows (removed elsewhere): the browser can stop offering it
    const credentialId = err.answer?.unknownCredential
    if (credentialId) await window.PublicKeyCredential?.signalUnknownCredential?.({ rpId: location.hostname, credentialId }).catch(() => {})
    throw err
  }
}

for (const form of document.querySelectorAll('form[data-passkey]')) {
  form.addEventListener('submit', event => {
    event.preventDefault()
    notice.replaceChildren()
    const body = Object.fromEntries(new FormData(form))
    // One checkbox serves sign-up and sign-in (it is there only when signed out); the routes take true or false
    const remember = document.getElementById('remember')
    if (remember) body.remember = remember.checked
    ceremony(form.dataset.passkey, body).then(shown, err => say(err.message))
  })
}

// A recovery code (a new account's, or a new one) is shown once, until its owner says it is kept
const codeBox = document.getElementById('recovery-code')
document.getElementById('code-kept').addEventListener('click', () => location.assign('/'))
function shown (answer) {
  if (!answer?.recoveryCode) return location.assign('/')
  document.getElementById('code').textContent = answer.recoveryCode
  codeBox.hidden = false
  codeBox.scrollIntoView()
}

// Signing in with a recovery code, and making a new one (after a fresh check)
for (const [ selector, path ] of [ [ 'form[data-recover]', '/recover' ], [ 'form[data-new-code]', '/recover/new' ] ]) {
  document.querySelector(selector)?.addEventListener('submit', event => {
    event.preventDefault()
    notice.replaceChildren()
    const body = Object.fromEntries(new FormData(event.target))
    const remember = document.getElementById('remember')
    if (remember) body.remember = remember.checked
    post(path, body).then(shown, err => say(err.message))
  })
}

// A form whose action may ask for a fresh check first ("Sign out everywhere")
for (const form of document.querySelectorAll('form[data-fresh]')) {
  form.addEventListener('submit', event => {
    event.preventDefault()
    notice.replaceChildren()
    post(form.getAttribute('action'), {}).then(() => location.assign('/'), err => say(err.message))
  })
}

// Signed in, the page lists the account's passkeys (GET /passkeys): each can be renamed or removed
const list = document.getElementById('passkeys')
const when = ms => ms ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : 'never'
function button (label, act) {
  const control = document.createElement('button')
  control.type = 'button'
  control.className = 'secondary'
  control.textContent = label
  control.addEventListener('click', () => {
    notice.replaceChildren()
    act().then(showPasskeys, err => say(err.message))
  })
  return control
}
async function showPasskeys () {
  const res = await fetch('/passkeys', { headers: { accept: 'application/json' } })
  if (!res.ok) return
  const { userId, passkeys, hasRecoveryCode } = await res.json()
  document.getElementById('recovery-status').textContent = hasRecoveryCode
    ? 'You have a recovery code: it signs you in if you lose every passkey. Making a new one ends the old one.'
    : 'You have no recovery code: make one, so that losing every passkey does not lose the account.'
  list.replaceChildren(...passkeys.map(passkey => {
    const item = document.createElement('li')
    const name = document.createElement('input')
    name.value = passkey.name
    name.maxLength = 40
    name.setAttribute('aria-label', 'Name of the passkey made ' + when(passkey.createdAt))
    const about = document.createElement('span')
    about.textContent = ' made ' + when(passkey.createdAt) + ', last used ' + when(passkey.lastUsedAt) + (passkey.synced ? ', synced' : '') + (passkey.current ? ' (signed in with this one)' : '')
    item.append(name, button('Rename', () => post('/passkeys/rename', { id: passkey.id, name: name.value })),
      button('Remove', () => post('/passkeys/remove', { id: passkey.id })), about)
    return item
  }))
  // Tell the browser which of this account's passkeys still work here, so that it stops offering
  // a removed one (the WebAuthn Signal API, where the browser has it)
  if (userId) await window.PublicKeyCredential?.signalAllAcceptedCredentials?.({ rpId: location.hostname, userId, allAcceptedCredentialIds: passkeys.map(p => p.id) }).catch(() => {})
}
if (list) showPasskeys().catch(err => say(err.message))
`
