// The text of an issue as the classifier reads it: the title when it adds something, then the content.
// Intake, training from people's classifications and the duplicate check all use this, so the same complaint
// gives the same text everywhere.
export function issueText(issue: { title?: string | null; content: string }): string {
  const title = issue.title?.trim();
  if (!title || issue.content.startsWith(title)) return issue.content;
  return `${title}\n${issue.content}`;
}
