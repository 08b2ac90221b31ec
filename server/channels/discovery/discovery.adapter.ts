// Proactive discovery (DESIGN §2): departments' reports and data alerts posted by internal systems, a work order
// like the hotline's with its own `externalId`, authenticated by an API key. Pure.
import { workOrderAdapter } from '../json-channel.ts';

export const discoveryAdapter = workOrderAdapter('discovery', 'api_key', 'externalId');
