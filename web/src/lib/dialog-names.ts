/**
 * Gives each pop-up dialog the name of the labelled field that opens it. Element Plus's date pickers open their
 * panel as `role="dialog"` with no name: a screen reader announces a bare "dialog" and axe reports
 * aria-dialog-name. The picker's `aria-label` reaches only its inputs, which point at the panel with
 * `aria-controls` and `aria-haspopup="dialog"`, so one observer copies the field's name onto the panel when the
 * panel appears or the field expands; every picker in the app is covered without per-screen code.
 */
const OPENERS = '[aria-haspopup="dialog"][aria-controls][aria-label]';

export function nameOpenedDialogs(root: Document): void {
  for (const opener of root.querySelectorAll<HTMLElement>(OPENERS)) {
    const dialog = root.getElementById(opener.getAttribute('aria-controls') ?? '');
    if (!dialog || dialog.hasAttribute('aria-label') || dialog.hasAttribute('aria-labelledby')) continue;
    dialog.setAttribute('aria-label', opener.getAttribute('aria-label') ?? '');
  }
}

export function watchDialogNames(root: Document): void {
  new MutationObserver(() => nameOpenedDialogs(root)).observe(root.body, {
    childList: true,
    subtree: true,
    attributeFilter: ['aria-expanded'],
  });
}
