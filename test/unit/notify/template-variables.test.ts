// The admin's template editor names every variable an event offers in Chinese (附件未收到告知 showed a bare
// `files`): each variable of each event has a label.
import { expect } from 'chai';
import { EVENT_SPECS } from '../../../server/notify/templates.ts';
import { VARIABLE_LABELS } from '../../../shared/template-variables.ts';

describe('notification templates: every variable has a Chinese label', () => {
  it('covers each variable of each event', () => {
    const missing = Object.entries(EVENT_SPECS).flatMap(([event, spec]) =>
      spec.variables.filter((v) => !Object.hasOwn(VARIABLE_LABELS, v)).map((v) => `${event}.${v}`),
    );
    expect(missing).to.deep.equal([]);
    for (const label of Object.values(VARIABLE_LABELS)) expect(label).to.match(/\p{Script=Han}/u);
  });
});
