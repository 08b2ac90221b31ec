// What an enterprise-code plaque (企业码牌) says, for the HTML page and the PDF alike. Pure.
import { enterpriseCodeUrl } from '../presenters/enterprise.presenter.ts';

/** The service hotline printed on every plaque. */
export const SERVICE_HOTLINE = '12345';
export const PLAQUE_TITLE = '企业码';
export const PLAQUE_SUBTITLE = '涉企问题高效闭环服务';
export const PLAQUE_INSTRUCTIONS = '扫码查看诉求办理进度、评价服务';
export const PLAQUE_FOOTER = '请妥善张贴，勿遮挡涂改；如需换码请联系企业服务中心';

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
