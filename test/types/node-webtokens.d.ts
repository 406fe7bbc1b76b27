// The slice of node-webtokens (the JWE library inside @architect/functions) that we call.
declare module 'node-webtokens' {
  interface ParsedToken {
    valid?: boolean
    payload?: Record<string, unknown>
    setAlgorithmList (alg: string, enc: string): ParsedToken
    setTokenLifetime (seconds: number): ParsedToken
    verify (key: string): ParsedToken
  }
  const jwt: {
    parse (token: string): ParsedToken
    generate (alg: string, enc: string, payload: object, key: string): string
    /** A JWS, which the app must refuse: the tests forge one */
    generate (alg: string, payload: object, key: string): string
  }
  export = jwt
}
