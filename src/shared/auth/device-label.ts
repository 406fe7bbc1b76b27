// The short name of a device that signs in, for the owner's lists of sessions, passkeys and
// activity: "Chrome on macOS", from its User-Agent.
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import Bowser from 'bowser'

const UNKNOWN_DEVICE = 'An unknown device'

/**
 * A short name for the device, from its User-Agent: "Chrome on macOS". bowser (MIT) reads it;
 * ua-parser-js 2, the other well-kept parser, is AGPL. Only the sign-in routes bundle it.
 */
export function deviceOf (event: Event): string {
  let userAgent = (event.headers['user-agent'] ?? '').slice(0, 512).trim()
  // (bowser throws on an empty one; a client need not send it)
  if (!userAgent) return UNKNOWN_DEVICE
  let { browser, os } = Bowser.parse(userAgent)
  let label = [ browser.name, os.name && `on ${os.name}` ].filter(Boolean).join(' ')
  return label.slice(0, 60) || UNKNOWN_DEVICE
}
