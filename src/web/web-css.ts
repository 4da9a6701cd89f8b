/**
 * The web view's one stylesheet, served from /assets/web.css (the CSP allows styles from this
 * site only, never inline). Colours keep at least 4.5:1 contrast; below 700 px tables become
 * labelled blocks, so a phone at 400 px never scrolls sideways. Focus is a dark ring with a
 * yellow halo on the white page (a yellow ring alone is under 3:1 against white, WCAG 1.4.11),
 * and the yellow ring alone on the blue header.
 */
export const WEB_CSS = `
:root { --ink: #1b1b1b; --muted: #4a4a4a; --line: #c9c9c9; --bg: #ffffff; --panel: #f3f4f6; --accent: #1d4f91; --accent-ink: #ffffff; --warn: #8a1c1c; --ok: #1e5e2f; --focus: #ffbf47; }
* { box-sizing: border-box; }
html { font-size: 100%; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); background: var(--bg); line-height: 1.5; }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, summary:focus { outline: 3px solid var(--ink); outline-offset: 0; box-shadow: 0 0 0 6px var(--focus); }
.top a:focus, .top button:focus { outline-color: var(--focus); box-shadow: none; }
.skip { position: absolute; left: -999px; top: 0; background: var(--focus); color: var(--ink); padding: .5rem 1rem; }
.skip:focus { left: 0; z-index: 10; }
.top { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: .5rem 1rem; padding: .75rem 1.25rem; background: var(--accent); color: var(--accent-ink); }
.top a.brand { color: var(--accent-ink); font-weight: 700; font-size: 1.25rem; text-decoration: none; }
.top .who { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem 1rem; }
.top .who form { margin: 0; }
.top button.link { background: none; border: 1px solid var(--accent-ink); color: var(--accent-ink); border-radius: 4px; padding: .2rem .6rem; cursor: pointer; font: inherit; }
.crumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem; margin: 0; padding: .5rem 1.25rem; background: var(--panel); }
.crumbs li + li::before { content: "›"; margin-right: .25rem; color: var(--muted); }
main { padding: 1rem 1.25rem 3rem; max-width: 75rem; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h1 .subject { display: block; font-size: 1.05rem; font-weight: 400; color: var(--muted); }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; }
h2 .count { display: inline-block; min-width: 1.6rem; padding: 0 .4rem; border-radius: 1rem; background: var(--accent); color: var(--accent-ink); font-size: .9rem; text-align: center; }
.hint { color: var(--muted); margin: .25rem 0; }
.warn { color: var(--warn); }
.addr { color: var(--muted); word-break: break-all; }
.when { color: var(--muted); white-space: nowrap; }
.tag { font-size: .8rem; border: 1px solid var(--line); border-radius: 3px; padding: 0 .3rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .5rem .6rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--panel); font-size: .9rem; }
tbody th { font-weight: 600; }
.cases .subject { display: block; font-weight: 400; color: var(--muted); font-size: .9rem; }
.filters { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: flex-end; padding: .75rem; background: var(--panel); border-radius: 6px; }
.filters > div { min-width: 0; max-width: 100%; }
.filters select { max-width: 100%; }
.filters label { display: block; font-weight: 600; font-size: .9rem; }
select, input[type=date], input[type=number] { font: inherit; padding: .35rem .4rem; border: 1px solid #767676; border-radius: 4px; background: #fff; color: var(--ink); max-width: 100%; }
button, a.button { display: inline-block; font: inherit; padding: .45rem .9rem; border-radius: 4px; border: 1px solid var(--accent); background: #fff; color: var(--accent); text-decoration: none; cursor: pointer; }
button.primary, a.button.primary, .filters button { background: var(--accent); color: var(--accent-ink); }
.summary { margin: 1rem 0 0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
.facts dt, .meta dt { font-weight: 600; }
.facts dd, .meta dd { margin: 0; overflow-wrap: anywhere; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; margin: .25rem 0; font-size: .95rem; }
.action-list { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem .75rem; align-items: center; }
.action-list form { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin: 0; }
.notice { border-left: 6px solid var(--ok); background: #eef6f0; padding: .5rem 1rem; margin-bottom: 1rem; }
.notice.bad { border-color: var(--warn); background: #fbeeee; }
.chronology { list-style: none; padding: 0; }
.chronology > li { border-left: 3px solid var(--line); padding: 0 0 .75rem 1rem; margin-left: .25rem; }
.chronology .at { margin: 0; color: var(--muted); font-size: .9rem; }
.msg h3 { font-size: 1.05rem; margin: .25rem 0; }
.msg .dir { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); margin-right: .3rem; }
.holds { margin: .25rem 0 .75rem; padding: .5rem .75rem .5rem 1.75rem; background: var(--panel); border-left: 4px solid var(--accent); }
.meta ul.files { margin: 0; padding-left: 1.1rem; }
.meta .size { color: var(--muted); }
q.evidence { font-style: italic; }
.msg-in { border-left: 4px solid var(--accent); padding-left: .6rem; }
.msg-out { border-left: 4px solid #6b6b6b; padding-left: .6rem; }
pre.text { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--panel); padding: .6rem; border-radius: 4px; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9rem; }
details.mailtext summary { cursor: pointer; color: var(--accent); }
details.mailtext[open] summary { margin-bottom: .4rem; }
.draft { border: 2px solid var(--accent); border-radius: 6px; padding: .25rem 1rem 1rem; }
.confirm { margin-top: 1.5rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
.downloads { margin-top: 1rem; }
@media (max-width: 700px) {
  main { padding: .75rem; }
  table, thead, tbody, tr, th, td { display: block; width: 100%; }
  thead { position: absolute; left: -9999px; }
  tr { border: 1px solid var(--line); border-radius: 6px; margin-bottom: .75rem; padding: .25rem .5rem; }
  th, td { border: 0; padding: .25rem 0; }
  td[data-label]::before, tbody th[data-label]::before { content: attr(data-label); display: block; font-size: .8rem; font-weight: 600; color: var(--muted); }
  .facts, .meta { grid-template-columns: 1fr; }
}
`;
