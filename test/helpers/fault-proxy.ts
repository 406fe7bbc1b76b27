// A TCP proxy in front of Sandbox's DynamoDB that can pass traffic, refuse it, or swallow it
// (accept and never answer), so tests can break the database and mend it again.
import { createServer, connect, type Socket } from 'node:net'

export type FaultMode = 'pass' | 'refuse' | 'hang'

export interface FaultProxy {
  port: number
  set (mode: FaultMode): void
  close (): Promise<void>
}

export async function faultProxy (target: number): Promise<FaultProxy> {
  let mode: FaultMode = 'pass'
  let open = new Set<Socket>()
  let server = createServer(socket => {
    open.add(socket)
    socket.on('close', () => open.delete(socket))
    socket.on('error', () => socket.destroy())
    if (mode === 'refuse') socket.destroy()
    if (mode !== 'pass') return
    let upstream = connect(target, '127.0.0.1')
    upstream.on('error', () => socket.destroy())
    socket.pipe(upstream).pipe(socket)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  let address = server.address()
  if (!address || typeof address === 'string') throw new Error('proxy has no port')
  return {
    port: address.port,
    set: next => { mode = next },
    close: () => new Promise(resolve => {
      for (let socket of open) socket.destroy()
      server.close(() => resolve())
    }),
  }
}
