// What GET /api/imports/:id answers about a batch import of issues (meeting, visit and deputy records): the
// server's job (server/imports/) keeps it, the staff app's import screen (IssueImportView.vue) shows it.
export interface IssueImportRow {
  /** The row number in the file (the header is row 1). */
  row: number;
  status: 'created' | 'merged' | 'duplicate' | 'failed';
  /** The issue the row was filed as, merged into, or already was. */
  number?: string;
  /** That issue's id (for a link), when it could be found. */
  issueId?: string;
  /** Why the row failed. */
  reason?: string;
}

export interface IssueImportStatus {
  id: string;
  channel: 'meeting' | 'visit' | 'deputy';
  filename: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  /** Data rows in the file (null until counted). */
  total: number | null;
  done: number;
  percent: number;
  created: number;
  merged: number;
  duplicates: number;
  failed: number;
  /** The first 500 failed rows with their reason. */
  errors: { row: number; message: string }[];
  /** The first 10,000 rows' outcomes in file order; left out when asked with `?rows=0` (while polling). */
  rows?: IssueImportRow[];
  /** Why the whole job failed (an unreadable file), when it did. */
  failure?: string;
}
