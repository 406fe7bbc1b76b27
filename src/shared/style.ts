// The app's pages' only style, allowed by its hash in each page's Content-Security-Policy. A
// flash is any message shown once, an error or news ("your other sessions have ended"), so it
// looks neither alarming nor reassuring; a recovery code, shown once, looks the same.
export const STYLE = `
  body { font: 1.05rem/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; background: #fff; }
  h1 { font-size: 1.6rem; }
  .count { font-size: 3rem; font-weight: 700; margin: 0; }
  form { margin: 1rem 0; display: flex; gap: .5rem; align-items: end; flex-wrap: wrap; }
  label { display: flex; flex-direction: column; font-weight: 600; }
  label.inline { flex-direction: row; gap: .4rem; align-items: center; font-weight: 400; }
  input { font: inherit; padding: .35rem .5rem; border: 1px solid #555; border-radius: 4px; }
  button { font: inherit; padding: .4rem 1rem; border: 0; border-radius: 4px; background: #0b57d0; color: #fff; cursor: pointer; }
  button.secondary { background: #444; }
  :focus-visible { outline: 3px solid #b3261e; outline-offset: 2px; }
  .flash, .shown-once { padding: .75rem 1rem; border-left: 4px solid #0b57d0; background: #e8f0fe; }
  aside { margin-top: 2rem; padding: 1rem; background: #f3f3f3; border-radius: 6px; }
  code { font-size: .95em; }
`
