// The site icon, for the QR page and the staff app alike: a small SVG (a closed loop, in the QR page's blue)
// served from memory. Without it a browser's /favicon.ico request found nothing (404, a console error on the
// owner's phone) or, once the staff app was built, its index.html.
import type { RequestHandler } from 'express';

const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#0b5cad"/>
<path d="M16 7a9 9 0 1 0 8.5 6" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/>
<path d="M20.5 6.5l5 1.5-2 4.8z" fill="#fff"/>
</svg>
`;

/** GET /favicon.svg and /favicon.ico (browsers that ask for the old name render the SVG too). */
export const favicon: RequestHandler = (_req, res) => {
  res.set('Cache-Control', 'public, max-age=86400');
  res.type('image/svg+xml').send(FAVICON_SVG);
};
