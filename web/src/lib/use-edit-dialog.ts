// The state of a create/edit dialog (EditDialog.vue): which row is edited (null: a new one), the form filled
// from it, and saving with the error shown in the dialog, a toast and a reload after success. A check before
// sending throws an Error whose message the dialog shows.
import { ElMessage } from 'element-plus';
import { reactive, ref, shallowRef, type UnwrapNestedRefs } from 'vue';
import { useSubmit } from './use-load.ts';

/** What EditDialog.vue shows and calls. */
export interface DialogState {
  open: boolean;
  error: string;
  busy: boolean;
  submit(): unknown;
  close(): void;
}

export interface EditDialogOptions<Row, Form extends object, Saved> {
  /** The form's values for a row, or for a new one (null). */
  fill(row: Row | null): Form;
  save(form: UnwrapNestedRefs<Form>, row: Row | null): Promise<Saved>;
  /** The toast after a successful save (it may name what the server answered). */
  saved: string | ((saved: Saved) => string);
  /** What follows a save (the list reloads). */
  after?: () => unknown;
}

export function useEditDialog<Row, Form extends object, Saved = unknown>(
  options: EditDialogOptions<Row, Form, Saved>,
) {
  const open = ref(false);
  const editing = shallowRef<Row | null>(null);
  const form = reactive(options.fill(null));
  const { busy, error, submit } = useSubmit(async () => {
    const saved = await options.save(form, editing.value);
    open.value = false;
    ElMessage.success(typeof options.saved === 'string' ? options.saved : options.saved(saved));
    await options.after?.();
  });

  function edit(row: Row | null) {
    editing.value = row;
    Object.assign(form, options.fill(row));
    error.value = '';
    open.value = true;
  }

  const close = () => void (open.value = false);
  return { state: reactive({ open, error, busy, submit, close }), editing, form, edit };
}
