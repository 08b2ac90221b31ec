// The text of an issue as the classifier reads it: the title when it adds something, then the content.
// Intake, training from people's classifications and the duplicate check all use this, so the same complaint
// gives the same text everywhere. A title found in the content adds nothing: one intake made from it (its first
// sentence, or its first words and 「…」: intake/title-from-content.ts) never does.
const bare = (s: string) => s.replace(/\s+/gu, '');

export function issueText(issue: { title?: string | null; content: string }): string {
  const title = issue.title?.trim();
  if (!title || bare(issue.content).includes(bare(title.replace(/…$/u, '')))) return issue.content;
  return `${title}\n${issue.content}`;
}
