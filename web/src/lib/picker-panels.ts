/**
 * Names the date pickers' panels. Element Plus opens a picker's panel as `role="dialog"` with no name: a screen
 * reader announces a bare "dialog" and axe reports aria-dialog-name. The picker's `aria-label` reaches only its
 * inputs, so one observer names every panel when it appears, without per-screen code. The name is the same for
 * all (日期选择), not the field's: a panel named after its field would answer to the field's label too (a test's
 * or an assistive tool's "the control labelled 查看年份" would find two).
 */
export const PICKER_PANEL_NAME = '日期选择';
const UNNAMED_PANELS = '.el-picker__popper[role="dialog"]:not([aria-label]):not([aria-labelledby])';

const isPopperContainer = (node: Node): node is Element =>
  node instanceof Element && /-popper-container-/.test(node.id);

function name(node: Node): void {
  if (node instanceof Element && node.matches(UNNAMED_PANELS))
    node.setAttribute('aria-label', PICKER_PANEL_NAME);
}

/**
 * Element Plus teleports each popper, a picker's panel among them, into a container that is a child of body
 * (`#el-popper-container-…`). So the observer watches body's own children and each container's, never the
 * app's subtree, and looks only at the nodes just added there: the screens' own changes (a list loading, each
 * keystroke) cost it nothing.
 */
export function watchPickerPanels(doc: Document): void {
  const observer = new MutationObserver((records) => {
    for (const r of records)
      for (const node of r.addedNodes) {
        if (r.target === doc.body && isPopperContainer(node)) observer.observe(node, { childList: true });
        name(node);
      }
  });
  observer.observe(doc.body, { childList: true });
  // Those the app made while mounting, before this runs.
  for (const container of [...doc.body.children].filter(isPopperContainer)) {
    observer.observe(container, { childList: true });
    for (const node of container.children) name(node);
  }
}
