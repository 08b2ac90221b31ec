// Libraries only a rare request needs (Excel files, PDF plaques, mail parsing and sending), loaded on first use:
// at start-up they cost about 1 s of module loading and 40 MB of memory in every process, most of which never
// exports a workbook or sends a mail. Each loads once; the callers await it where they already await I/O.
import type ExcelJS from 'exceljs';
import type PDFDocument from 'pdfkit';
import type * as HtmlToText from 'html-to-text';
import type * as MailParser from 'mailparser';
import type nodemailer from 'nodemailer';

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

export const loadExcel = once<typeof ExcelJS>(() => import('exceljs').then((m) => m.default));
export const loadPdfkit = once<typeof PDFDocument>(() => import('pdfkit').then((m) => m.default));
export const loadMailParser = once<typeof MailParser>(() => import('mailparser'));
export const loadHtmlToText = once<typeof HtmlToText>(() => import('html-to-text'));
export const loadNodemailer = once<typeof nodemailer>(() => import('nodemailer').then((m) => m.default));
