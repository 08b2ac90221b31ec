// A delivery failure that no retry can fix (a provider not configured, a recipient WeChat will not accept):
// the outbox worker marks the row dead at once, for an admin to see and retry, instead of backing off 40 times.
export class PermanentDeliveryError extends Error {}
