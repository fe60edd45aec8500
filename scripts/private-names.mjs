// The `private` class members of the shipped sources that the CDN bundle may rename: terser
// shortens a property name everywhere in the bundle at once, so a name qualifies only when
// nothing else can mean it.
//
// A name qualifies when it is declared `private` in one of our classes, and
//   - every use of it in our sources is that declaration or `this.<name>` inside such a class
//     (no object key, no interface member, no destructuring, no string, no other object's property);
//   - no bundled dependency (Lit) mentions it;
//   - the platform does not know it (the DOM and ECMAScript typings), so no browser API or
//     callback (`handleEvent`, `connectedCallback`) can be reached through it.
// Anything public, protected or a Lit reactive property (an object key in `static properties`)
// therefore keeps its name.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';

const isPrivate = (node) =>
  ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword) ?? false;

/** Declared private names, and every other use of a property-like name, in one source file. */
function scan(file, declared, otherUses) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const privateIn = new Map();
  const classPrivates = (node) => {
    if (!privateIn.has(node)) {
      const names = new Set();
      for (const member of node.members) {
        if (member.name && ts.isIdentifier(member.name) && isPrivate(member)) names.add(member.name.text);
        if (ts.isConstructorDeclaration(member))
          for (const param of member.parameters)
            if (isPrivate(param) && ts.isIdentifier(param.name)) names.add(param.name.text);
      }
      privateIn.set(node, names);
    }
    return privateIn.get(node);
  };
  const enclosingClass = (node) => {
    for (let up = node.parent; up; up = up.parent) if (ts.isClassLike(up)) return up;
    return undefined;
  };
  const visit = (node) => {
    const name =
      node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) ? node.name.text : null;
    if (ts.isClassLike(node)) for (const each of classPrivates(node)) declared.add(each);
    if (ts.isPropertyAccessExpression(node)) {
      const own =
        node.expression.kind === ts.SyntaxKind.ThisKeyword &&
        classPrivates(enclosingClass(node) ?? { members: [] }).has(name);
      if (!own) otherUses.add(node.name.text);
    } else if (ts.isBindingElement(node)) {
      otherUses.add((node.propertyName ?? node.name).getText());
    } else if (ts.isStringLiteralLike(node)) {
      for (const word of node.text.match(/[A-Za-z_$][\w$]*/g) ?? []) otherUses.add(word);
    } else if (
      name &&
      (ts.isPropertyAssignment(node) ||
        ts.isShorthandPropertyAssignment(node) ||
        ts.isPropertySignature(node) ||
        ts.isMethodSignature(node) ||
        ((ts.isPropertyDeclaration(node) ||
          ts.isMethodDeclaration(node) ||
          ts.isGetAccessor(node) ||
          ts.isSetAccessor(node)) &&
          !isPrivate(node)))
    ) {
      otherUses.add(name);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

const withoutComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

/** Words of the platform's typings: every name a browser API or callback may have. */
function platformWords() {
  const require = createRequire(import.meta.url);
  const lib = dirname(require.resolve('typescript/lib/lib.d.ts'));
  const words = new Set();
  for (const file of readdirSync(lib).filter((f) => /^lib\..*\.d\.ts$/.test(f)))
    for (const word of withoutComments(readFileSync(join(lib, file), 'utf8')).match(/[A-Za-z_$][\w$]*/g) ??
      [])
      words.add(word);
  return words;
}

/**
 * A terser `mangle.properties.regex` for the qualifying names of `sources` (our `.ts` files),
 * given the text of every bundled dependency module; null when none qualifies.
 */
export function privateNamesPattern(sources, dependencyTexts) {
  const declared = new Set();
  const otherUses = new Set();
  for (const file of sources) scan(file, declared, otherUses);
  const platform = platformWords();
  const mentioned = (name) => dependencyTexts.some((text) => new RegExp(`\\b${name}\\b`).test(text));
  const names = [...declared]
    .filter((name) => !otherUses.has(name) && !platform.has(name) && !mentioned(name))
    .sort();
  return names.length ? { names, regex: new RegExp(`^(?:${names.join('|')})$`) } : null;
}
