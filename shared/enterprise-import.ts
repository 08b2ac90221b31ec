// What GET /api/enterprises/imports/:id answers about a batch import of enterprises: the server's job
// (server/enterprises/enterprise-import.job.ts) keeps it, the admin screen (EnterpriseImport.vue) shows it.
export interface EnterpriseImportStatus {
  id: string;
  status: 'running' | 'done' | 'failed';
  total: number;
  done: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** The rows refused, with the reason (at most MAX_REPORTED_ERRORS). */
  errors: { row: number; message: string }[];
}
