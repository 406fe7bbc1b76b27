# Local settings for `npx arc sandbox` and the tests (ARC_ENV=testing).
#
# ARC_APP_SECRET: a dev-only secret. It is public (it is in git), so staging and production refuse it.
# ARC_SESSION_TTL: sessions end after 7 days (604800 s) without a visit; the cookie's Max-Age matches.
#
# Do not pin ARC_SESSION_TABLE_NAME here: a value in this block would override the one you start
# Sandbox with, and `npm run start:table` could not pick table mode.
# A project .env file replaces this whole block; it does not merge with it.
@env
testing
  ARC_APP_SECRET dev-only-secret-do-not-use-in-production-0123456789
  ARC_SESSION_TTL 604800

# Sandbox's live reload injects an inline <script> into every page. The page's Content-Security-
# Policy allows only its own script, by hash (never 'unsafe-inline'), so live reload stays off.
@sandbox
livereload false
