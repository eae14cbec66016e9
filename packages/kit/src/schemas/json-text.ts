/**
 * A strict JSON scanner used only when something went wrong: it finds where a syntax error is
 * (V8's messages do not always say) and where the value at a JSON path starts, so errors in
 * contract files can say `file:line:column`. The happy path uses JSON.parse.
 */

export interface JsonLocation {
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export class JsonSyntaxProblem extends Error {
  constructor(
    readonly problem: string,
    readonly location: JsonLocation,
  ) {
    super(`${problem} at line ${location.line}, column ${location.column}`);
  }
}

/** Appends a key or index to a JSONPath-like path: `$.fields[3].type`, `$.topics["a.b"]`. */
export function jsonPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)
    ? `${parent}.${key}`
    : `${parent}[${JSON.stringify(key)}]`;
}

export function locationAt(text: string, offset: number): JsonLocation {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/**
 * Scans `text` and returns the start offset of every value by path.
 * @throws JsonSyntaxProblem at the first syntax error, saying what was expected and found.
 */
export function scanJson(text: string): Map<string, number> {
  const offsets = new Map<string, number>();
  let pos = 0;

  const fail = (expected: string): never => {
    const found = pos >= text.length ? 'end of input' : JSON.stringify(text[pos]);
    throw new JsonSyntaxProblem(`expected ${expected}, found ${found}`, locationAt(text, pos));
  };
  const skipSpace = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos] as string)) pos++;
  };
  const expectChar = (char: string, expected: string): void => {
    if (text[pos] !== char) fail(expected);
    pos++;
  };

  const scanString = (expected = 'a string'): string => {
    const start = pos;
    expectChar('"', expected);
    while (pos < text.length && text[pos] !== '"') {
      const code = text.charCodeAt(pos);
      if (code < 0x20) fail('a closing quote (control characters must be escaped)');
      if (text[pos] === '\\') {
        pos++;
        if (text[pos] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 1, pos + 5)))
            fail('four hex digits after \\u');
          pos += 5;
        } else {
          if (!'"\\/bfnrt'.includes(text[pos] ?? 'x'))
            fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)');
          pos++;
        }
      } else {
        pos++;
      }
    }
    expectChar('"', 'a closing quote');
    return JSON.parse(text.slice(start, pos)) as string;
  };

  const scanValue = (path: string): void => {
    skipSpace();
    offsets.set(path, pos);
    const char = text[pos];
    if (char === '{') {
      pos++;
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return;
      }
      for (;;) {
        skipSpace();
        const key = scanString('a property name in double quotes (trailing commas are not JSON)');
        skipSpace();
        expectChar(':', "':' after the property name");
        scanValue(jsonPath(path, key));
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        expectChar('}', "',' or '}' after a property value");
        return;
      }
    }
    if (char === '[') {
      pos++;
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return;
      }
      for (let index = 0; ; index++) {
        scanValue(jsonPath(path, index));
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        expectChar(']', "',' or ']' after an array element");
        return;
      }
    }
    if (char === '"') {
      scanString();
      return;
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(pos, pos + 400),
    );
    if (!literal) fail('a JSON value (object, array, string, number, true, false or null)');
    pos += (literal as RegExpExecArray)[0].length;
  };

  scanValue('$');
  skipSpace();
  if (pos < text.length) fail('end of input after the top-level value');
  return offsets;
}
