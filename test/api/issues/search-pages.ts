// The list's search as the clerk reads it in the search tests: one page, or every page through `next`.
import request from 'supertest';
import type { IssueTestApp } from './fixtures.ts';

export interface SearchPage {
  items: { id: string; number: string; state: string; createdAt: string; dueAt: string | null }[];
  next?: string;
  searchedTo?: string;
}

export function searchPages(t: IssueTestApp) {
  async function get(qs: string): Promise<SearchPage> {
    const res = await request(t.app)
      .get(`/api/issues?${qs}`)
      .set(await t.auth('clerk'))
      .expect(200);
    return res.body as SearchPage;
  }

  /** Follows `next` to the end (50 pages at most); returns the pages. */
  async function all(qs: string): Promise<SearchPage[]> {
    const pages: SearchPage[] = [];
    let cursor: string | undefined;
    do {
      pages.push(await get(`${qs}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
      cursor = pages[pages.length - 1].next;
    } while (cursor && pages.length < 50);
    return pages;
  }

  return { get, all };
}
