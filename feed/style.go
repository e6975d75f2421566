package feed

// pageStyle is every page's style sheet, inline: one request per page,
// and nothing fetched from elsewhere (no web font, no script).
//
// Type: the Arabic faces that systems ship, chosen for reading (Naskh
// before the Kufi-like sans faces): Noto Naskh Arabic on Linux and
// Android, Geeza Pro on Apple's systems, Sakkal Majalla and then Segoe
// UI on Windows; Tahoma and DejaVu Sans as the last ones that have
// Arabic everywhere. No system-ui: its Arabic face varies with the
// system. Latin text (an English article) takes the common sans faces,
// and an Arabic paragraph in it the Naskh faces. Arabic is set larger
// and looser than Latin: its letters are smaller at one size, and the
// dots and marks above and below need the room (a Latin article or
// paragraph among Arabic ones is set back to Latin's size).
//
// Underlines sit below the dots under the letters (offset) and break
// around what still reaches them (skip-ink). Nothing is wider than the
// screen: long words and URLs wrap, wide code and tables scroll in their
// own box.
const pageStyle = `:root{color-scheme:light dark;--fg:#1b1b1b;--muted:#5c5c5c;--bg:#fff;--link:#0b57d0;--visited:#6a3d9a;--rule:#d0d0d0;--latin:"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,"Noto Naskh Arabic","Geeza Pro",Tahoma,"DejaVu Sans",sans-serif;--arabic:"Noto Naskh Arabic","Noto Naskh Arabic UI","Geeza Pro","Sakkal Majalla","Segoe UI","Noto Sans Arabic",Tahoma,"DejaVu Sans",sans-serif}
@media (prefers-color-scheme:dark){:root{--fg:#e8e6e3;--muted:#b0aca6;--bg:#141414;--link:#8ab4f8;--visited:#c58af9;--rule:#444}}
html{font-family:var(--latin);font-size:106.25%;line-height:1.6;-webkit-text-size-adjust:100%;text-size-adjust:100%}
html:is(:lang(ar),:lang(fa),:lang(ur)){font-size:118.75%}
:where(:lang(ar),:lang(fa),:lang(ur),:lang(ps),:lang(ckb)){font-family:var(--arabic);line-height:1.9}
:where([lang]:not(:lang(ar),:lang(fa),:lang(ur),:lang(ps),:lang(ckb)),[dir=ltr]){font-family:var(--latin);line-height:1.6;font-size:.9em}
body{max-width:40rem;margin:0 auto;padding:1rem;color:var(--fg);background:var(--bg);overflow-wrap:break-word}
a{color:var(--link);text-decoration-thickness:1px;text-underline-offset:.35em;text-decoration-skip-ink:auto}a:visited{color:var(--visited)}
h1,h2{line-height:1.45;margin:1rem 0 .5rem}h1{font-size:1.6em}h2{font-size:1.25em}
header,footer{font-size:.9em;color:var(--muted)}header{border-block-end:1px solid var(--rule)}footer{border-block-start:1px solid var(--rule);margin-block-start:2rem}
header p{margin:.5rem 0;font-size:1.15em}header h1{color:var(--fg);font-size:1.75em}header h1 a,header h1 a:visited{color:inherit;text-decoration:none}footer nav a,.pages a{margin-inline-end:.75rem;white-space:nowrap}
main>article+article{border-block-start:1px solid var(--rule);padding-block-start:.5rem}article{margin:0 0 1.5rem}.meta{margin:.25rem 0 .75rem}.meta,.sections,.categories,.tags,.original,.byline{font-size:.9em;color:var(--muted)}.meta time{white-space:nowrap}
.original a{overflow-wrap:anywhere}img{max-width:100%;height:auto}figure{margin:1rem 0}
pre,table{display:block;max-width:100%;overflow-x:auto}table{border-collapse:collapse}th,td{border:1px solid var(--rule);padding:.25rem .5rem}
blockquote{margin-inline:1rem 0;padding-inline-start:1rem;border-inline-start:3px solid var(--rule)}
@media print{:root{--fg:#000;--muted:#333;--bg:#fff;--link:#000;--visited:#000}body{max-width:none;padding:0}header nav,footer,.pages{display:none}a{text-decoration:none}h1,h2{break-after:avoid}article{break-inside:avoid-page}}`
