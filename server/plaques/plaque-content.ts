// What an enterprise-code plaque (企业码牌) shows of an enterprise, for the HTML page and the PDF alike; its
// words are shared/plaque-text.ts. Pure.
import { SERVICE_HOTLINE } from '../../shared/plaque-text.ts';
import { enterpriseCodeUrl } from '../presenters/enterprise.presenter.ts';

export {
  PLAQUE_FOOTER,
  PLAQUE_INSTRUCTIONS,
  PLAQUE_SUBTITLE,
  PLAQUE_TITLE,
  SERVICE_HOTLINE,
} from '../../shared/plaque-text.ts';

export interface PlaqueContent {
  name: string;
  creditCode: string;
  /** The URL the QR code encodes (the enterprise's page). */
  url: string;
  hotline: string;
}

export function plaqueContentOf(
  e: { name: string; creditCode: string; qrToken: string },
  publicBaseUrl: string,
): PlaqueContent {
  return {
    name: e.name,
    creditCode: e.creditCode,
    url: enterpriseCodeUrl(publicBaseUrl, e.qrToken),
    hotline: SERVICE_HOTLINE,
  };
}

/** The fields a plaque needs from an enterprise (the QR token included, so never send this to a client). */
export const PLAQUE_FIELDS = { name: 1, creditCode: 1, qrToken: 1 } as const;
