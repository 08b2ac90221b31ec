// 12345 hotline work orders (DESIGN §10): the platform pushes `{orderId, creditCode?, enterpriseName?,
// contactName?, contactPhone?, title?, content, urgency?, receivedAt?}`, HMAC-signed; the answer is
// `{number, status}`. Pure.
import { workOrderAdapter } from '../json-channel.ts';

export const hotline12345Adapter = workOrderAdapter('hotline12345', 'hmac', 'orderId');
