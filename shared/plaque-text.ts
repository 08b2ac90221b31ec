// What an enterprise-code plaque (企业码牌) says, word for word the same on the staff app's print page, the
// server's printable page and the PDF for print shops.

/** The service hotline printed on every plaque. */
export const SERVICE_HOTLINE = '12345';
export const PLAQUE_TITLE = '企业码';
export const PLAQUE_SUBTITLE = '涉企问题高效闭环服务';
export const PLAQUE_INSTRUCTIONS = '扫码查看诉求办理进度、评价服务';
export const PLAQUE_FOOTER = '请妥善张贴，勿遮挡涂改；如需换码请联系企业服务中心';
