/**
 * Names the date pickers' panels. Element Plus opens a picker's panel as `role="dialog"` with no name: a screen
 * reader announces a bare "dialog" and axe reports aria-dialog-name. The picker's `aria-label` reaches only its
 * inputs, so one observer names every panel when it appears, without per-screen code. The name is the same for
 * all (日期选择), not the field's: a panel named after its field would answer to the field's label too (a test's
 * or an assistive tool's "the control labelled 查看年份" would find two).
 */
export const PICKER_PANEL_NAME = '日期选择';
const UNNAMED_PANELS = '.el-picker__popper[role="dialog"]:not([aria-label]):not([aria-labelledby])';

export function namePickerPanels(root: ParentNode): void {
  for (const panel of root.querySelectorAll(UNNAMED_PANELS))
    panel.setAttribute('aria-label', PICKER_PANEL_NAME);
}

export function watchPickerPanels(doc: Document): void {
  new MutationObserver(() => namePickerPanels(doc)).observe(doc.body, { childList: true, subtree: true });
}
