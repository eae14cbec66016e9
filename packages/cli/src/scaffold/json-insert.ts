import { isDeepStrictEqual } from 'node:util';

/**
 * Adds one member at the end of the object or array that a top-level key of a JSON file holds,
 * by editing the text: everything else keeps its layout, byte for byte. `member` is the new
 * member as formatted text (`"name": {…}` for an object, a value for an array) with lines
 * indented relative to its own first line; it gets the indentation of the container's members
 * (its closing bracket's plus two spaces, as prettier lays JSON out).
 *
 * @throws Error when the file is not plain JSON, has no such key, or the key holds no container.
 */
export function appendToTopLevel(
  text: string,
  key: string,
  member: string,
  expected: (parsed: Record<string, unknown>) => unknown,
): string {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`is not plain JSON (${(error as Error).message})`);
  }
  const span = topLevelContainer(text, key);
  if (!span) throw new Error(`has no "${key}" object or array at its top level`);
  const { open, close } = span;
  const closeIndent = indentationOfLine(text, close);
  const inner = text.slice(open + 1, close);
  let result: string;
  if (inner.trim() === '') {
    const memberIndent = indentationOfLine(text, open) + '  ';
    result =
      text.slice(0, open + 1) +
      `\n${indent(member, memberIndent)}\n${indentationOfLine(text, open)}` +
      text.slice(close);
  } else if (!inner.includes('\n')) {
    // Laid out on one line: stay on it.
    const end = open + 1 + inner.trimEnd().length;
    result = text.slice(0, end) + `, ${member.trim()}` + text.slice(end);
  } else {
    const end = open + 1 + inner.trimEnd().length;
    result = text.slice(0, end) + `,\n${indent(member, closeIndent + '  ')}` + text.slice(end);
  }
  // The edit must change exactly what was meant, whatever the file held.
  if (!isDeepStrictEqual(JSON.parse(result), expected(parsed)))
    throw new Error(`could not add to "${key}" without changing something else`);
  return result;
}

function indent(member: string, prefix: string): string {
  return member
    .split('\n')
    .map((line) => (line === '' ? line : prefix + line))
    .join('\n');
}

function indentationOfLine(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** Offsets of the brackets of the object or array the root object holds at `key`. */
function topLevelContainer(text: string, key: string): { open: number; close: number } | undefined {
  let depth = 0;
  let lastString: string | undefined;
  let afterColon: string | undefined;
  let open = -1;
  for (let pos = 0; pos < text.length; pos++) {
    const char = text[pos];
    if (char === '"') {
      const start = pos;
      for (pos++; pos < text.length && text[pos] !== '"'; pos++) if (text[pos] === '\\') pos++;
      lastString = JSON.parse(text.slice(start, pos + 1)) as string;
      continue;
    }
    if (char === ':' && depth === 1) {
      afterColon = lastString;
      continue;
    }
    if (char === '{' || char === '[') {
      if (depth === 1 && afterColon === key && open < 0) open = pos;
      depth++;
      continue;
    }
    if (char === '}' || char === ']') {
      depth--;
      if (depth === 1 && open >= 0) return { open, close: pos };
      continue;
    }
    if (char === ',' && depth === 1) afterColon = undefined;
  }
  return undefined;
}
