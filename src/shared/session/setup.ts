// This cold start's settings, and the store of its mode, shared by the wrapper (../session.ts)
// and by what lists and ends an owner's sessions (owners.ts).
import { readSettings, type Settings } from './config.ts'
import type { SessionStore } from './store.ts'

// Settings are read once per cold start; a bad secret refuses every request (see config.ts)
export const setup = readSettings(process.env)
let store: SessionStore | null = null

// Load only the active mode's code, on first use: cookie mode never loads the DynamoDB client,
// which is most of what a cold start would otherwise spend its time on
export async function storeFor (settings: Settings): Promise<SessionStore> {
  store ??= settings.mode === 'cookie'
    ? (await import('./cookie-store.ts')).cookieStore(settings)
    : (await import('./table-store.ts')).tableStore(settings)
  return store
}
