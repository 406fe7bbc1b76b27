// Secrets for tests are made at run time, as `openssl rand -base64 48` makes them, so that no value
// committed to this repository could pass a deployed stage's checks (test/unit/secrets.test.ts
// checks that every committed one is refused)
import { randomBytes } from 'node:crypto'

export const randomSecret = () => randomBytes(48).toString('base64')
