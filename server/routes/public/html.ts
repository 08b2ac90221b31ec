// A tiny HTML tagged template for the server-rendered QR page: every interpolated value is escaped unless it
// is already SafeHtml (the output of another `html` template), so text from issues, enterprises or the
// request can never become markup. Attributes in templates are always double-quoted, so escaping the five
// special characters is enough there too.
//
// The templates are written indented for reading; each one's fixed parts are stored once with every line
// break's indentation removed (a page for a busy enterprise was a third spaces). A run of whitespace with a
// line break renders exactly like a bare line break, and interpolated values are never touched.

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const SPECIAL = /[&<>"']/;

export function escapeHtml(text: string): string {
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]) : text;
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

const compacted = new WeakMap<TemplateStringsArray, readonly string[]>();

/** A template's fixed parts without the indentation after line breaks (made once per template). */
function fixedParts(strings: TemplateStringsArray): readonly string[] {
  let parts = compacted.get(strings);
  if (!parts) {
    parts = strings.map((s) => s.replace(/\n\s*/g, '\n'));
    compacted.set(strings, parts);
  }
  return parts;
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  const parts = fixedParts(strings);
  let out = parts[0];
  for (let i = 0; i < values.length; i += 1) out += render(values[i]) + parts[i + 1];
  return new SafeHtml(out);
}
