// The Bootstrap that reader pages load: `make css` writes static/css/bootstrap.subset.css
// (committed, so `make run` needs no Node). Run it again after using new Bootstrap classes;
// tests/config/test_html_valid.py fails when a rendered page uses a Bootstrap class the
// subset lacks. PurgeCSS (npm) keeps every rule whose class, id or element appears in the
// sources below; the admin, the desk and the live preview keep the full stylesheet.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { PurgeCSS } from "purgecss";

const python = process.env.PYTHON || ".venv/bin/python";
const site = (module) =>
  execFileSync(python, ["-c", `import ${module}, os; print(os.path.dirname(${module}.__file__))`]).toString().trim();
const bootstrapCss = `${site("bootstrap")}/static/bootstrap/css/bootstrap.min.css`;
const crispy = `${site("crispy_bootstrap5")}/templates`;

const templates = ["templates/**/*.html", "*/templates/**/*.html"];

// Elements of post bodies (stored HTML that no template shows) and of the page frame.
const elements = [
  "a", "abbr", "acronym", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
  "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
  "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small",
  "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
  "thead", "time", "tr", "u", "ul", "html", "body", "main", "nav", "header", "footer", "section",
  "article", "aside", "form", "fieldset", "legend", "label", "input", "button", "select", "textarea",
  "output", "progress", "picture", "svg", "address", "samp", "var", "meter", "iframe", "video", "audio",
];

// Class names a template builds from a value (`ms-{{ depth }}`, `alert-{% if … %}`): every
// class with that prefix stays.
const htmlFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? htmlFiles(join(dir, entry.name)) : entry.name.endsWith(".html") ? [join(dir, entry.name)] : [],
  );
const templateDirs = ["templates", ...["blog", "comments", "polls", "core", "wpimport"].map((app) => `${app}/templates`)];
const built = new Set();
for (const file of templateDirs.flatMap((dir) => { try { return htmlFiles(dir); } catch { return []; } })) {
  for (const match of readFileSync(file, "utf8").matchAll(/([a-z][a-z0-9]*(?:-[a-z0-9]+)*-)\{[{%]/g)) {
    built.add(match[1]);
  }
}
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const [result] = await new PurgeCSS().purge({
  css: [{ raw: readFileSync(bootstrapCss, "utf8") }],
  content: [
    ...templates,
    `${crispy}/**/*.html`,
    "static/js/**/*.js",
    "static/blog/embeds.js",
    "static/comments/comments.js",
    "static/polls/polls.js",
    "{blog,comments,polls,core,wpimport}/**/*.py",
  ],
  safelist: {
    standard: elements.map((tag) => new RegExp(`^${tag}$`)),
    greedy: [
      ...[...built].map((prefix) => new RegExp(`^${escape(prefix)}`)),
      // Built at run time: message levels, button styles, form states.
      /^alert/, /^btn/, /^text-bg-/, /^bg-/, /^is-(in)?valid/, /^was-validated/, /^(in)?valid-/,
      // Classes editors and imported WordPress posts use in bodies (any class is allowed there).
      /^table/, /^figure/, /^img-/, /^float-/, /^blockquote/, /^lead$/, /^ratio/, /^badge/,
      /^text-(start|end|center|muted|nowrap|wrap)/, /^list-/, /^clearfix$/,
    ],
  },
  variables: false, // custom properties stay: our own CSS uses them too
  keyframes: true,
  fontFace: true,
});
const css = result.css.replace(/\/\*# sourceMappingURL=[^*]*\*\//g, "");

writeFileSync("static/css/bootstrap.subset.css", css);
console.log(`static/css/bootstrap.subset.css: ${css.length} bytes (from ${readFileSync(bootstrapCss).length})`);
console.log(`classes built in templates, kept by prefix: ${[...built].sort().join(" ")}`);
