// Shared component styles: touch targets of at least 44 px, visible focus,
// one column on phones, wider layouts from 720 px.
import { css } from 'lit';

export const shared = css`
  :host { display: block; }
  *, *::before, *::after { box-sizing: border-box; }
  h1 { font-size: 1.35rem; margin: 0 0 .75rem; }
  h2 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
  button, .button, input, select, textarea { font: inherit; }
  button, .button { min-height: 44px; min-width: 44px; padding: .5rem 1rem; border-radius: .4rem; border: 1px solid #8a1515; background: #b71c1c; color: #fff; cursor: pointer; text-decoration: none; display: inline-flex; align-items: center; justify-content: center; gap: .4rem; }
  button.secondary, .button.secondary { background: #fff; color: #8a1515; }
  button:disabled { opacity: .55; cursor: default; }
  :focus-visible { outline: 3px solid #1565c0; outline-offset: 2px; }
  label { display: block; font-weight: 600; margin: .6rem 0 .2rem; }
  input, select, textarea { min-height: 44px; width: 100%; padding: .45rem .6rem; border: 1px solid #888; border-radius: .35rem; background: #fff; color: inherit; }
  textarea { min-height: 12rem; line-height: 1.5; }
  .row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
  .row > * { flex: 1 1 10rem; }
  .actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; }
  .error { background: #fdecea; color: #7f1313; border-left: 4px solid #b71c1c; padding: .6rem .8rem; margin: .6rem 0; }
  .info { background: #e8f1fb; color: #0d3c6e; border-left: 4px solid #1565c0; padding: .6rem .8rem; margin: .6rem 0; }
  .card { background: #fff; border: 1px solid #ddd; border-radius: .5rem; padding: 1rem; margin: .75rem 0; }
  .muted { color: #555; font-size: .92rem; }
  .badge { display: inline-block; padding: .1rem .5rem; border-radius: 1rem; background: #eee; font-size: .85rem; white-space: nowrap; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
