// Renders an enterprise code (企业码) as SVG or PNG. Error correction level M survives a creased printout.
import QRCode from 'qrcode';

export function renderQrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

export function renderQrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 512 });
}
