// Who a passkey is for: the origin a browser must report and the RP ID (the host name) the
// authenticator scopes the passkey to. A passkey made for one RP ID never answers for another,
// which is why passkeys cannot be phished.
//
// Deployed, both come from PASSKEY_ORIGIN, read once at cold start: a request's Host header is
// the client's to choose, and a deployed stage must not trust it to say who we are. Locally they
// come from the request's host, so Sandbox on any port (and `localhost`, which browsers treat as
// secure without HTTPS) just works.
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import { isDeployed } from '../session/config.ts'

export interface RelyingParty {
  /** What the browser must report as the page's origin, e.g. `https://app.example.com` */
  origin: string
  /** The host name passkeys are scoped to, e.g. `app.example.com` */
  rpID: string
}

/** Shown to the user by the browser and the authenticator when a passkey is made */
export const RP_NAME = 'Architect sessions'

/**
 * The relying party a deployed stage is configured with; throws (stopping the function at cold
 * start, with the reason in its log) when PASSKEY_ORIGIN is missing or is not an https origin
 */
export function configuredParty (env: Record<string, string | undefined>): RelyingParty | null {
  if (!isDeployed(env)) return null
  let fix = `Set it with: npx arc env -e ${env.ARC_ENV} -a PASSKEY_ORIGIN https://<the app's host> (then git checkout prefs.arc, which that command rewrites), and deploy again`
  let value = env.PASSKEY_ORIGIN
  if (!value) throw new Error(`PASSKEY_ORIGIN is not set, so passkeys cannot know which site they are for. ${fix}`)
  let url = URL.parse(value)
  // An origin is a scheme, a host and a port: a path or a trailing slash would never match the browser's
  if (!url || url.protocol !== 'https:' || url.origin !== value) {
    throw new Error(`PASSKEY_ORIGIN must be an https origin such as https://app.example.com, with no path; it is not. ${fix}`)
  }
  return { origin: url.origin, rpID: url.hostname }
}

const configured = configuredParty(process.env)

/** The relying party for this request: the configured one once deployed, the request's host locally */
export function relyingParty (event: Event): RelyingParty {
  if (configured) return configured
  let host = event.headers.host ?? 'localhost'
  // A Host that is no host name gives an RP ID no passkey has, so every answer is refused
  return { origin: `http://${host}`, rpID: URL.parse(`http://${host}`)?.hostname ?? '' }
}
