// The variables of a notification template ({{number}}, {{deadline}}): one pattern, one length bound and one
// check for the server, which renders and validates templates (server/notify/templates.ts), and for the admin's
// template editor, which names a variable the event does not have before saving.

/** The longest template an admin may store. */
export const TEMPLATE_MAX_CHARS = 500;

/** `{{ name }}` in a template; global, so use it with matchAll or replace. */
export const TEMPLATE_VARIABLE = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;

/** The variables `text` uses that `allowed` does not list, in order of use. */
export function unknownVariables(text: string, allowed: readonly string[]): string[] {
  return [...text.matchAll(TEMPLATE_VARIABLE)].map((m) => m[1]).filter((name) => !allowed.includes(name));
}
