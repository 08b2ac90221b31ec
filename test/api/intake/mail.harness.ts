// Mail into the intake pipeline as the SMTP adapter hands it over (no credit code: the sender is the contact),
// for the suites that check which enterprise a sender's mail is filed for.
import type { InboundMessage } from '../../../server/channels/types.ts';
import { createIntakeConfigCache } from '../../../server/intake/intake-config.ts';
import { createPipelineDeps } from '../../../server/intake/intake-sink.ts';
import { acceptInbound, type PipelineDeps } from '../../../server/intake/pipeline.ts';
import type { EnterpriseDoc } from '../../../server/models/index.ts';
import type { TestApp } from '../helpers.ts';

export interface MailIntake {
  /** The pipeline's dependencies (built in a before hook). */
  deps: PipelineDeps;
  /** A new mail from `from` (each with its own Message-ID and text). */
  mail(from: string): InboundMessage;
  /** Takes in a new mail from `from`: the enterprise its issue was filed for. */
  enterpriseOfMail(from: string): Promise<EnterpriseDoc | null>;
}

export function useMailIntake(t: TestApp): MailIntake {
  let seq = 0;
  const intake = {} as MailIntake;
  before(() => {
    intake.deps = createPipelineDeps({
      models: t.models,
      clock: t.clock,
      intakeConfig: createIntakeConfigCache(t.models),
      logger: { warn: () => undefined } as never,
    });
  });
  intake.mail = (from) => {
    seq += 1;
    return {
      channel: 'email',
      externalId: `mail-${seq}@test`,
      title: '厂区门口道路积水',
      content: `厂区门口道路每逢下雨积水严重，货车无法进出，请协调处理（第${seq}封）。`,
      enterprise: {},
      contact: { email: from },
    };
  };
  intake.enterpriseOfMail = async (from) => {
    const ack = await acceptInbound(intake.deps, intake.mail(from));
    await intake.deps.inbox.flush();
    const entry = await t.models.InboxEntry.findById(ack.inboxId).lean();
    const issue = await t.models.Issue.findById(entry?.issueId).lean();
    return t.models.Enterprise.findById(issue?.enterpriseId).lean();
  };
  return intake;
}
