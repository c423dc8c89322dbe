// Style sheets are imported for their side effect: esbuild emits them as dashboard.css next to
// the script, which the page links.
declare module '*.css';
