// What the import card (components/ImportUpload.vue) reads of any batch-import job it polls: enterprise imports
// (shared/enterprise-import.ts) and issue imports (shared/issue-import.ts) both answer at least this.
export interface ImportJobView {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  /** Data rows in the file (null until counted). */
  total: number | null;
  done: number;
  /** Refused rows with their reason. */
  errors: readonly { row: number; message: string }[];
  /** Why the whole job failed, when it did. */
  failure?: string;
}
