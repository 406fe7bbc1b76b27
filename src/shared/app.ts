// What this sample app keeps in its session, and the answers its routes share.
import type { APIGatewayProxyEventV2 as Event } from 'aws-lambda'
import { json, redirect, wantsJson } from './http.ts'
import type { Reply, Session } from './session.ts'

export interface User {
  name: string
  /** When they signed in (ms since epoch) */
  since: number
}

export interface AppData {
  count: number
  user: User | null
  cart: string[]
}

export const defaults: AppData = { count: 0, user: null, cart: [] }

/** The page's state as JSON clients see it */
export function state (session: Session<AppData>) {
  let { count, user, cart } = session.data
  return { mode: session.mode, count, user: user && { name: user.name }, cart, flash: session.flash }
}

/** Bad input: JSON clients get a 400, browsers go back to the page, which shows the message once */
export function badInput (event: Event, message: string): Reply<AppData> {
  return wantsJson(event) ? json(400, { error: message }) : { ...redirect('/'), flash: message }
}

/** After a change: JSON clients get the new state, browsers go back to the page (POST/redirect/GET) */
export function done (event: Event, session: Session<AppData>, data: AppData): Reply<AppData> {
  let response = wantsJson(event) ? json(200, state({ ...session, data, flash: null })) : redirect('/')
  return { ...response, session: data }
}
