// `tape -r ./test/helpers/stop-at-first-failure.ts ...`: ends the run at the first failed assert.
// Mutation testing needs only one failure to call a mutant killed, and the rest of the files would
// cost it minutes.
import tape from 'tape'

tape.onFailure(() => process.exit(1))
