@app
arc-sessions

@http
get /
post /count
post /cart
post /login
post /logout

# Table mode stores sessions here (ARC_SESSION_TABLE_NAME=session).
# The TTL attribute must be `_ttl`: that is the name @architect/functions and
# our wrapper write. The docs' `ttl TTL` would never expire a row.
@tables
session
  _idx *String
  _ttl TTL

@aws
runtime typescript

@plugins
architect/plugin-typescript

@typescript
# The plugin still defaults to nodejs20.x, which Lambda has retired
base-runtime nodejs22.x
esbuild-config esbuild.config.js
