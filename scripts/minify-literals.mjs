// Minifies the static text of Lit's css`` and html`` literals in the CDN bundle.
//
// A css`` literal without expressions is minified by Lightning CSS (shorter colors and numbers,
// merged shorthands, no line breaks) and handed to Lit's `unsafeCSS` instead of `css`; the line
// breaks it had follow the call, where JavaScript ignores them, so every line after it keeps
// its number (and the source map stays right). The minified style sheets themselves move to
// the end of the bundle, all together. Other literals lose comments and indentation:
// every run of whitespace becomes one space, or its line breaks alone. HTML never changes
// meaning (whitespace collapses the same way in the browser) and nothing in our templates is
// `pre`.
import { transform } from 'lightningcss';
import MagicString from 'magic-string';

/** End of the JavaScript string or template starting at `i` (the index after its last quote). */
function skipString(code, i) {
  const quote = code[i];
  for (let j = i + 1; j < code.length; j++) {
    if (code[j] === '\\') j++;
    else if (quote === '`' && code[j] === '$' && code[j + 1] === '{') j = skipExpression(code, j + 2) - 1;
    else if (code[j] === quote) return j + 1;
  }
  return code.length;
}

/** Index just after the `}` that closes an expression whose body starts at `i`. */
function skipExpression(code, i) {
  let depth = 1;
  for (let j = i; j < code.length; j++) {
    const c = code[j];
    if (c === '"' || c === "'" || c === '`') j = skipString(code, j) - 1;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return j + 1;
  }
  return code.length;
}

/** The static parts of the template whose backtick is at `start`: [from, to) ranges. */
function quasis(code, start) {
  const parts = [];
  let from = start + 1;
  for (let j = from; j < code.length; j++) {
    if (code[j] === '\\') j++;
    else if (code[j] === '`') {
      parts.push([from, j]);
      return parts;
    } else if (code[j] === '$' && code[j + 1] === '{') {
      parts.push([from, j]);
      j = skipExpression(code, j + 2) - 1;
      from = j + 1;
    }
  }
  return [];
}

/** A run of whitespace as short as it can be with the same line breaks (none: one space). */
const keepLines = (run) => run.replace(/[^\n]/g, '') || ' ';

export function minifyCss(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ''))
    .replace(/\s+/g, keepLines)
    .replace(/ ?([{};,>]) ?/g, '$1')
    .replace(/: /g, ':');
}

export function minifyHtml(text) {
  return text.replace(/\s+/g, (run) => (run.includes('\n') ? keepLines(run) : run));
}

/**
 * A whole style sheet minified by Lightning CSS, and the line breaks it had. Only for text that
 * a template literal holds as it is (no backslash, no expression).
 */
function minifyStyleSheet(text) {
  const css = transform({ filename: 'literal.css', code: Buffer.from(text), minify: true }).code.toString();
  if (/[\\`]|\$\{/.test(css)) throw new Error(`minify-literals: cannot put back into a template: ${css}`);
  return [css, text.replace(/[^\n]/g, '')];
}

/** Lit's `unsafeCSS`, under a name no module of ours uses. */
const UNSAFE_CSS = 'fgUnsafeCSS';
/** Marks a style sheet for the end of the bundle; there, the function that returns the n-th. */
const STYLE_SHEET = 'fgStyleSheet';

/** The code with every css`` and html`` literal's static text minified. */
export function minifyLiterals(code) {
  const edits = [];
  for (const match of code.matchAll(/\b(css|html)`/g)) {
    const parts = quasis(code, match.index + match[1].length);
    if (match[1] === 'css' && parts.length === 1 && !code.slice(...parts[0]).includes('\\')) {
      // A style sheet without expressions: `css` would only check that there are none. Given
      // to `unsafeCSS` instead, it makes the same CSSResult (each of ours is made once, at
      // module level), and the bundle needs no `css` at all.
      const [from, to] = parts[0];
      const [css, breaks] = minifyStyleSheet(code.slice(from, to));
      edits.push([match.index, to + 1, `${UNSAFE_CSS}(${STYLE_SHEET}(\`${css}\`))${breaks}`]);
      continue;
    }
    const minify = match[1] === 'css' ? minifyCss : minifyHtml;
    for (const [from, to] of parts) edits.push([from, to, minify(code.slice(from, to))]);
  }
  let out = code;
  for (const [from, to, text] of edits.sort((a, b) => b[0] - a[0]))
    out = out.slice(0, from) + text + out.slice(to);
  // Last, so that no line above moves; imports take effect wherever they stand.
  if (out.includes(`${UNSAFE_CSS}(`)) out += `\nimport { unsafeCSS as ${UNSAFE_CSS} } from 'lit';\n`;
  return out;
}

/**
 * Rollup plugin: after TypeScript, on the elements' own modules. The style sheets end up
 * together at the end of the bundle, in one function (declared functions exist before the code
 * above them runs), where gzip compresses them against each other, and the code against code.
 */
export function minifyLitLiterals(include = /packages\/elements\/src\//) {
  return {
    name: 'fg-minify-lit-literals',
    transform(code, id) {
      if (!include.test(id) || !/\b(css|html)`/.test(code)) return null;
      const result = minifyLiterals(code);
      // Only characters inside literals change, never a line: the incoming source map holds.
      return result === code ? null : { code: result, map: null };
    },
    renderChunk(code) {
      const out = new MagicString(code);
      const sheets = [];
      // `unsafeCSS` under the name the chunk gives it: the function below calls it once for all.
      const wrappers = new Set();
      let matched = 0;
      // Numbered in the order the bundle uses them: neighbours in the code, neighbours in the list.
      const calls = new RegExp(`([\\w$]+)\\(${STYLE_SHEET}\\(\`([^\`]*)\`\\)\\)`, 'g');
      for (const call of code.matchAll(calls)) {
        wrappers.add(call[1]);
        matched++;
        const index = sheets.includes(call[2]) ? sheets.indexOf(call[2]) : sheets.push(call[2]) - 1;
        out.overwrite(call.index, call.index + call[0].length, `${STYLE_SHEET}(${index})`);
      }
      if (sheets.length === 0) return null;
      if (wrappers.size !== 1 || code.split(`${STYLE_SHEET}(\``).length - 1 !== matched)
        this.error(`${STYLE_SHEET}: every style sheet must be given to one unsafeCSS`);
      const list = sheets.map((css) => `    ${JSON.stringify(css)},`).join('\n');
      out.append(
        `\nfunction ${STYLE_SHEET}(index) {\n  return ${[...wrappers][0]}([\n${list}\n  ][index]);\n}\n`,
      );
      return { code: out.toString(), map: out.generateMap({ hires: true }) };
    },
  };
}
