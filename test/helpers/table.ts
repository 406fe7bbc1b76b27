// Direct access to the session table in Sandbox's DynamoDB, to look behind the app's back.
import arc from '@architect/functions'

export type Row = Record<string, unknown> & { _idx: string }

async function db () {
  let tables = await arc.tables()
  return { client: tables._client, TableName: tables.name('session') }
}

export async function allRows (): Promise<Row[]> {
  let { client, TableName } = await db()
  let { Items } = await client.Scan({ TableName })
  return (Items ?? []) as Row[]
}

export async function getRow (id: string): Promise<Row | undefined> {
  let { client, TableName } = await db()
  let { Item } = await client.GetItem({ TableName, Key: { _idx: id }, ConsistentRead: true })
  return Item as Row | undefined
}

/** What is left of a row a new identity retired: a marker with none of the session's data, which opens nothing */
export function isRetired (row: Row | undefined): boolean {
  return row?._retired === true && Object.keys(row).sort().join() === '_idx,_retired,_ttl,_version,_write'
}

export async function putRow (row: Row): Promise<void> {
  let { client, TableName } = await db()
  await client.PutItem({ TableName, Item: row })
}
