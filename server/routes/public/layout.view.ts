// The QR page's shell: one small inline stylesheet and the small live-update script (each allowed by its
// SHA-256 in the page's CSP, INLINE_HASHES: both are constants, so no response needs a nonce; no style
// attributes anywhere), a phone viewport, Chinese text and no external assets, so it renders fast on a weak
// mobile connection. Also the generic message pages (not found, too many attempts, errors) and the date
// formatting in China time.
import { createHash } from 'node:crypto';
import { CHINA_OFFSET_MS } from '../../../shared/calendar.ts';
import { html, SafeHtml } from './html.ts';

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 -apple-system,system-ui,"Helvetica Neue",Roboto,Arial,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1f2329;background:#f2f4f7}
a{color:#0b5cad}
header{background:#0b5cad;color:#fff;padding:16px 16px 18px}
header h1{margin:0;font-size:19px;font-weight:600;word-break:break-all}
header p{margin:4px 0 0;font-size:13px;opacity:.85}
main{padding:12px;max-width:640px;margin:0 auto}
h2{font-size:16px;margin:18px 4px 8px;color:#4e5969}
.card{background:#fff;border-radius:10px;padding:14px;margin:0 0 12px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.card>p:first-child,.card>form:first-child>p:first-of-type,.card>form:first-child>label:first-of-type{margin-top:0}
#code,#pin{letter-spacing:.3em;font-size:20px}
ul.list{list-style:none;margin:0;padding:0}
.row{display:flex;justify-content:space-between;align-items:center;gap:8px}
.num{font-size:13px;color:#646a73;font-variant-numeric:tabular-nums}
.badge{display:inline-block;font-size:13px;padding:2px 10px;border-radius:999px;background:#e8f3ff;color:#0b5cad;white-space:nowrap}
.badge.awaiting_rating{background:#fff3e8;color:#a34700}
.badge.closed{background:#e8ffea;color:#1a7f37}
.badge.rejected,.badge.merged{background:#f2f3f5;color:#4e5969}
.badge.verifying{background:#ffece8;color:#b42318}
.overdue{color:#b42318;font-weight:600;white-space:nowrap}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:10px 0 0;font-size:15px}
dt{color:#646a73}dd{margin:0;word-break:break-all}
ul.files{list-style:none;margin:0;padding:0}ul.files li+li{margin-top:8px}ul.files a{display:inline-block;min-height:24px}
.title{font-weight:600;margin:8px 0 4px;word-break:break-all}
.content,.reply{white-space:pre-wrap;word-break:break-all;margin:6px 0;font-size:15px}
.reply{background:#f7f8fa;border-left:3px solid #0b5cad;padding:8px 10px;border-radius:4px}
ol.progress{margin:10px 0 0;padding:0 0 0 18px;font-size:14px;color:#4e5969}
ol.progress li{margin:0 0 6px}
.muted{color:#646a73;font-size:14px}
.notice{background:#e8ffea;color:#1a7f37;border-radius:8px;padding:10px 12px;margin:0 0 12px}
.error{background:#ffece8;color:#cb2634;border-radius:8px;padding:10px 12px;margin:0 0 12px}
.error p{margin:0}.error ul{margin:4px 0;padding-left:20px;word-break:break-all}
form .error{margin:8px 0 0}
form{margin:0}
label{display:block;margin:10px 0 4px;font-size:15px}
input[type=text],input[type=password],input[type=tel],textarea{width:100%;font:inherit;padding:10px 12px;border:1px solid #c9cdd4;border-radius:8px;background:#fff}
textarea{min-height:8em;resize:vertical}
input[type=file]{display:block;width:100%;font-size:15px;padding:10px;border:1px dashed #c9cdd4;border-radius:8px;background:#f7f8fa}
#files-hint{margin:4px 0 0}
button,.button{display:block;width:100%;min-height:46px;margin:12px 0 0;font:inherit;font-size:17px;border:0;border-radius:8px;background:#0b5cad;color:#fff;text-align:center;text-decoration:none;padding:11px}
.button.secondary,button.secondary{background:#fff;color:#0b5cad;border:1px solid #0b5cad}
.two{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.two button{margin-top:10px}
button.good{background:#1a7f37}button.bad{background:#cb2634}
details{margin:10px 0 0}summary{color:#0b5cad;cursor:pointer;min-height:32px}
fieldset{border:0;margin:6px 0 0;padding:0}
legend{font-size:14px;color:#646a73;padding:0}
.levels label{display:inline-flex;align-items:center;gap:4px;margin:4px 14px 4px 0}
.live-notice{position:sticky;top:0;z-index:1;margin:0;padding:10px 16px;text-align:center;background:#fff3e8;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.live-notice a{color:#a34700;font-weight:600}
footer{text-align:center;color:#646a73;font-size:13px;padding:8px 16px 28px}
`;

export interface LayoutOptions {
  title: string;
  heading: string;
  subheading?: string;
  /** The page's live stream: with JavaScript the page refreshes its content in place on each event. */
  live?: string;
}

/**
 * Live update without a framework: on each `changed` event re-fetch this page and swap in its <main>. A
 * constant of this module; the stream URL goes in through a data attribute, escaped.
 *  - Never over the owner's input: while a field in <main> has focus or any form in it differs from what the
 *    server sent (text typed, a level ticked, a file chosen), the page is left alone and a notice offers the
 *    refresh; the swap happens once the owner is no longer editing (focus leaves a field, nothing left typed).
 *  - Open <details> (办理进展, 详细评价) stay open across a swap: they carry ids for it.
 *  - Only the <main> element of the fetched page is parsed: the rest is here already.
 */
const LIVE_SCRIPT = `(function(){
var m=document.querySelector('main[data-live]');
if(!m||!window.EventSource||!window.fetch||!window.DOMParser)return;
var busy=false,again=false,waiting=false,notice=null;
function each(l,f){for(var i=0;i<l.length;i++)f(l[i]);}
function changed(el){
if(el.type==='checkbox'||el.type==='radio')return el.checked!==el.defaultChecked;
if(el.tagName==='SELECT'){for(var i=0;i<el.options.length;i++)if(el.options[i].selected!==el.options[i].defaultSelected)return true;return false;}
return el.value!==el.defaultValue;}
function editing(){
var a=document.activeElement;
if(a&&m.contains(a)&&/^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName))return true;
var f=m.querySelectorAll('input,textarea,select'),d=false;
each(f,function(el){if(changed(el))d=true;});
return d;}
function hold(){
waiting=true;
if(notice)return;
notice=document.createElement('p');notice.className='live-notice';notice.setAttribute('role','status');
notice.appendChild(document.createTextNode('页面有更新，填写完成后自动显示。'));
var l=document.createElement('a');l.href=location.href.split('#')[0];l.textContent='立即刷新（未提交的内容不保留）';
notice.appendChild(l);m.parentNode.insertBefore(notice,m);}
function swap(fresh){
var open={};
each(m.querySelectorAll('details[id]'),function(d){open[d.id]=d.open;});
m.innerHTML=fresh.innerHTML;
each(m.querySelectorAll('details[id]'),function(d){if(Object.prototype.hasOwnProperty.call(open,d.id))d.open=open[d.id];});
waiting=false;
if(notice){notice.parentNode.removeChild(notice);notice=null;}}
function refresh(){
if(busy){again=true;return;}
if(editing())return hold();
busy=true;
fetch(location.href,{credentials:'same-origin',cache:'no-store'})
.then(function(r){return r.ok?r.text():'';})
.then(function(t){
var a=t.indexOf('<main'),b=t.lastIndexOf('</main>');
var d=a<0||b<a?null:new DOMParser().parseFromString(t.slice(a,b+7),'text/html').querySelector('main[data-live]');
if(!d)return;
if(editing())hold();else swap(d);})
.catch(function(){})
.then(function(){busy=false;if(again){again=false;refresh();}});}
new EventSource(m.getAttribute('data-live')).addEventListener('changed',refresh);
document.addEventListener('focusout',function(){setTimeout(function(){if(waiting&&!editing())refresh();},0);});
})();`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The CSP sources that allow the layout's inline stylesheet and script, and nothing else inline. */
export const INLINE_HASHES = { style: sha256(CSS), script: sha256(LIVE_SCRIPT) };

// Constants of this module, never data: the one place raw text goes into a page unescaped. Built outside the
// `html` template so that each element's text is exactly what its hash was taken of.
const STYLE_ELEMENT = new SafeHtml(`<style>${CSS}</style>`);
const SCRIPT_ELEMENT = new SafeHtml(`<script>${LIVE_SCRIPT}</script>`);

export function layout(opts: LayoutOptions, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex,nofollow" />
        <meta name="referrer" content="no-referrer" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <title>${opts.title}</title>
        ${STYLE_ELEMENT}
      </head>
      <body>
        <header>
          <h1>${opts.heading}</h1>
          ${opts.subheading ? html`<p>${opts.subheading}</p>` : ''}
        </header>
        ${
          opts.live
            ? html`<main data-live="${opts.live}">
                  ${body}
                  <p class="muted live"><a href="">刷新查看最新进展</a></p>
                </main>
                ${SCRIPT_ELEMENT}`
            : html`<main>${body}</main>`
        }
        <footer>
          企业码 · 涉企问题高效闭环办理<br />如有疑问，请拨打 <a href="tel:12345">12345</a> 政务服务热线
        </footer>
      </body>
    </html>`.value;
}

/** The instant moved by China's offset, so its UTC fields read China's wall clock. */
const inChina = (d: Date | string) => new Date(new Date(d).getTime() + CHINA_OFFSET_MS);

/** 2026年3月9日, in China time. */
export function chinaDate(d: Date | string | null | undefined): string {
  if (!d) return '';
  const shifted = inChina(d);
  return `${shifted.getUTCFullYear()}年${shifted.getUTCMonth() + 1}月${shifted.getUTCDate()}日`;
}

/** 3月9日 14:05, in China time. */
export function chinaDateTime(d: Date | string): string {
  const shifted = inChina(d);
  const hh = String(shifted.getUTCHours()).padStart(2, '0');
  const mm = String(shifted.getUTCMinutes()).padStart(2, '0');
  return `${shifted.getUTCMonth() + 1}月${shifted.getUTCDate()}日 ${hh}:${mm}`;
}

export function messagePage(title: string, message: string, back?: string, backLabel = '返回'): string {
  return layout(
    { title, heading: title },
    html`<div class="card">
      <p>${message}</p>
      ${back ? html`<a class="button secondary" href="${back}">${backLabel}</a>` : ''}
    </div>`,
  );
}

/** Same page for an unknown, mistyped or revoked code: it must not say which. */
export function notFoundPage(): string {
  return messagePage(
    '企业码无法识别',
    '该企业码无效或已停用。请确认扫描的是最新的企业码，或联系当地企业服务中心获取新码。',
  );
}

/**
 * A provisional enterprise's code after the centre found the registered enterprise it writes for: the issues
 * moved to that enterprise's code, which its owner holds; which enterprise is not said.
 */
export function mergedCodePage(): string {
  return messagePage(
    '查询码已停用',
    '经核实，您反映的问题已归入所属企业的档案，继续办理，无需重新反映。办理进度和评价请由企业负责人扫描本企业的企业码查看。',
  );
}

/** A provisional enterprise's code: nobody can verify as its owner until the centre has confirmed it. */
export function provisionalPage(back: string): string {
  return messagePage(
    '企业信息待核实',
    '该企业尚未完成登记核实，暂不能验证身份查看详情或评价。服务中心核实登记后，企业负责人可扫描本企业的企业码查看；办理进展会以短信等方式告知反映人。',
    back,
  );
}

export function tooManyPage(back?: string): string {
  return messagePage('操作过于频繁', '您的操作过于频繁，为保护企业信息安全，请稍后再试。', back);
}

/** 已超期 3 个工作日 (or 已超期, the evening it passed), after a promised date that has passed. */
function overdueNote(days: number | null | undefined): SafeHtml | string {
  if (days === null || days === undefined) return '';
  return html` <span class="overdue">已超期${days > 0 ? ` ${days} 个工作日` : ''}</span>`;
}

/** What DESIGN §1 promises every code holder: who is responsible and when it will be (or was) done. */
export function responsibilityFacts(i: {
  responsible: string;
  promisedBy?: Date | string | null;
  promisedWithClass?: boolean;
  replanPending?: boolean;
  paused?: boolean;
  overdueWorkingDays?: number | null;
  closedAt?: Date | string | null;
  classNote?: string;
}): SafeHtml {
  return html`<dt>责任单位</dt>
    <dd>${i.responsible}</dd>
    ${
      i.classNote
        ? html`<dt>合并办理</dt>
            <dd class="class-note">${i.classNote}</dd>`
        : ''
    }
    ${
      i.promisedBy
        ? html`<dt>承诺办结</dt>
            <dd>
              ${chinaDate(i.promisedBy)}前${overdueNote(i.overdueWorkingDays)}${
                i.promisedWithClass
                  ? '（与同类问题统一办结）'
                  : i.replanPending
                    ? '；多部门会商确定办理方案后，将重新确定办结时限'
                    : ''
              }
            </dd>`
        : i.paused
          ? html`<dt>承诺办结</dt>
              <dd>暂停办理期间不计时，恢复办理后继续计时</dd>`
          : ''
    }
    ${
      i.closedAt
        ? html`<dt>办结日期</dt>
            <dd>${chinaDate(i.closedAt)}</dd>`
        : ''
    }`;
}
