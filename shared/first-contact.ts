// Whether, and when, the enterprise was first contacted (首次联系, DESIGN §5): a progress note marked as the
// contact (handlers/handling.ts `note`), the first since the issue reached its current unit (the last step
// naming a unit: a dispatch or a transfer gives the new unit its own 首次联系时限). Read from the timeline, so
// the issue carries no extra field.
type Instant = Date | string;

export interface FirstContact {
  at: Date;
  /** After 首次联系时限. */
  late: boolean;
}

/** A timeline event as stored or as the staff API sends it. */
interface Event {
  action: string;
  at: Instant;
  data?: Record<string, unknown> | null;
}

export function firstContactOf(timeline: readonly Event[]): FirstContact | null {
  const routed = timeline.findLastIndex((e) => e.data?.unitId != null);
  const event = timeline.slice(routed + 1).find((e) => e.action === 'note' && e.data?.contacted === true);
  return event ? { at: new Date(event.at), late: event.data?.late === true } : null;
}
