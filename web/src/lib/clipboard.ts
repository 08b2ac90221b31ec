// Copies text for pasting into WeChat or an SMS. The Clipboard API needs a secure context (https or
// localhost): a centre reaching the app over the LAN by plain http has none, so the old selection copy is
// tried next; false when neither worked and the caller shows the text to copy by hand.
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}
