// 浙里办 / the online government service portal (DESIGN §10): a work order like the hotline's with its own
// `externalId`, authenticated by a per-channel API key. Pure.
import { workOrderAdapter } from '../json-channel.ts';

export const zhelibanAdapter = workOrderAdapter('zheliban', 'api_key', 'externalId');
