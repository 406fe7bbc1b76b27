// The session wrapper's log lines, read from this process's output: Sandbox prints what its Lambdas
// log, to stdout or stderr. Everything still reaches the terminal; only the JSON event lines are kept.
export interface LogLines {
  /** The JSON event lines written since `readLogLines()` */
  lines (): string[]
  stop (): void
}

export function readLogLines (): LogLines {
  let text = ''
  let streams = [ process.stdout, process.stderr ]
  let writes = streams.map(stream => stream.write.bind(stream))
  streams.forEach((stream, i) => {
    stream.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      text += String(chunk)
      return writes[i](chunk, ...rest)
    }
  })
  return {
    lines: () => text.split('\n').map(line => line.trim()).filter(line => line.startsWith('{"level":')),
    stop: () => streams.forEach((stream, i) => { stream.write = writes[i] }),
  }
}
