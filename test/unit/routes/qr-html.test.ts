// The QR page's HTML template: values are escaped, nested templates are not, and the templates' indentation
// never reaches the page while interpolated text keeps every space and line break.
import { expect } from 'chai';
import { escapeHtml, html } from '../../../server/routes/public/html.ts';

describe('QR page html template', () => {
  it('escapes interpolated text and attributes, and leaves nested templates as markup', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x" & \'y\''}">${inner}${['a<', html`<br />`]}</p>`.value).to.equal(
      '<p title="&quot;x&quot; &amp; &#39;y&#39;"><b>&lt;i&gt;</b>a&lt;<br /></p>',
    );
    expect(escapeHtml('普通文字 no specials')).to.equal('普通文字 no specials');
  });

  it("drops the templates' indentation after line breaks, but not the spaces or breaks of the values", () => {
    const text = 'line one\n    indented line\n\n  end';
    const page = html`<ul>
      <li>${text}</li>
      <li class="a b">x y</li>
    </ul>`;
    expect(page.value).to.equal(`<ul>\n<li>${text}</li>\n<li class="a b">x y</li>\n</ul>`);
  });
});
