@app
arc-sessions

@http
get /
post /count
post /cart
post /logout
# Passkey sign-up and sign-in (src/shared/auth/, docs/auth.md)
post /passkeys/register/options
post /passkeys/register
post /passkeys/login/options
post /passkeys/login
# A signed-in user's fresh check, before adding a passkey or signing out everywhere
post /passkeys/verify/options
post /passkeys/verify
# Your passkeys: list, rename, remove (src/shared/auth/your-passkeys.ts)
get /passkeys
post /passkeys/rename
post /passkeys/remove
# Recovery codes: sign in with one when every passkey is lost; make a new one (src/shared/auth/recovery.ts)
post /recover
post /recover/new
# An account's sessions: see them, end one, the others, or all (src/shared/auth/devices.ts)
get /sessions
post /sessions/end
post /logout/others
post /logout/everywhere
# A session bound to its device (W3C DBSC): bind it, and refresh its bound cookie (src/shared/auth/binding.ts)
post /sessions/bind
post /sessions/bind/refresh
# What happened to the account: sign-ins, passkeys added, sessions ended (src/shared/auth/activity.ts)
get /activity

# Table mode stores sessions here (ARC_SESSION_TABLE_NAME=session).
# The TTL attribute must be `_ttl`: that is the name @architect/functions and
# our wrapper write. The docs' `ttl TTL` would never expire a row.
@tables
session
  _idx *String
  _ttl TTL

# Accounts, in both modes, keyed by the name folded to one case: the key makes a name unique
account
  name *String

# Passkeys, keyed by the credential id the authenticator made
passkey
  id *String

# Per-visitor counters (sign-ups, failed passkey answers), one row per address, kind and hour,
# gone with the hour (src/shared/auth/limits.ts)
limit
  key *String
  _ttl TTL

# Each account's security activity, by time, kept ACTIVITY_DAYS (src/shared/auth/activity.ts)
activity
  account *String
  id **String
  _ttl TTL

# A signed-in session's row carries its owner (the account), so an account's sessions can be
# listed and ended with a Query. Sparse: only rows with `_owner` are in it.
@tables-indexes
session
  _owner *String
  name byOwner

# An account's passkeys, listed with a Query (src/shared/auth/accounts.ts)
passkey
  account *String
  name byAccount

@aws
runtime typescript
# Lambda's default is 5 s. Each request spends what is left of this, less a second to answer in
# (src/shared/session.ts): room for aws-lite's own retries of a throttled DynamoDB call (up to
# about 3 s of backoff) and a conflict retry, while the visitor still gets an answer, a 503 or a
# 409 with a message, long before API Gateway's 30 s limit.
timeout 10

@plugins
architect/plugin-typescript
# Narrows the deployed role to the DynamoDB item actions the code uses on each of its tables
table-access
# API Gateway's per-route limits on the passkey routes, shared by every caller
route-throttling

@typescript
# The plugin still defaults to nodejs20.x, which Lambda has retired
base-runtime nodejs22.x
esbuild-config esbuild.config.js
