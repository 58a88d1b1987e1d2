// Bootstrap trimmed to what Blogwerk uses: `make css` writes static/css/bootstrap.subset.css
// (committed, so `make run` needs no Node). Run it again after adding Bootstrap classes.
// PurgeCSS (npm) keeps every rule whose class, id or element appears in the sources below.
import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { PurgeCSS } from "purgecss";

const python = process.env.PYTHON || ".venv/bin/python";
const site = (module) =>
  execFileSync(python, ["-c", `import ${module}, os; print(os.path.dirname(${module}.__file__))`]).toString().trim();
const bootstrapCss = `${site("xstatic.pkg.bootstrap")}/data/css/bootstrap.min.css`;
const crispy = `${site("crispy_bootstrap5")}/templates`;

// Elements of post bodies (stored HTML that no template shows) and of the page frame.
const elements = [
  "a", "abbr", "acronym", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
  "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
  "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small",
  "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
  "thead", "time", "tr", "u", "ul", "html", "body", "main", "nav", "header", "footer", "section",
  "article", "aside", "form", "fieldset", "legend", "label", "input", "button", "select", "textarea",
  "output", "progress", "picture", "svg", "address", "samp", "var", "meter", "abbr",
];

const [result] = await new PurgeCSS().purge({
  css: [{ raw: readFileSync(bootstrapCss, "utf8") }],
  content: [
    "templates/**/*.html",
    "*/templates/**/*.html",
    `${crispy}/**/*.html`,
    "static/js/**/*.js",
    "static/comments/**/*.js",
    "static/polls/**/*.js",
    "{blog,comments,polls,core,wpimport}/**/*.py",
  ],
  safelist: {
    standard: elements.map((tag) => new RegExp(`^${tag}$`)),
    // Built at run time: message levels, button styles, form states.
    greedy: [/^alert-/, /^btn-/, /^text-bg-/, /^bg-/, /^is-(in)?valid/, /^was-validated/, /^(in)?valid-/],
  },
  variables: false, // custom properties stay: our own CSS uses them too
  keyframes: true,
  fontFace: true,
});
const css = result.css.replace(/\/\*# sourceMappingURL=[^*]*\*\//g, "");

writeFileSync("static/css/bootstrap.subset.css", css);
console.log(`static/css/bootstrap.subset.css: ${css.length} bytes (from ${readFileSync(bootstrapCss).length})`);
