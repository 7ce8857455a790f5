// A server's paged list for a page: fetchPage(pageToken) answers
// { rows, next } (next: the answer's next_page_token); the page shows rows,
// loading and error through AsyncState and DataTable's previous/next.
import { reactive } from 'vue';
import { PageCursor } from '../components/table.js';

// Rows asked for per page: the server's default page (Api::kPageSizeDefault;
// it allows up to 200).
export const kPageSize = 50;

export function usePaged(fetchPage) {
  const cursor = new PageCursor();
  const state = reactive({ rows: [], loading: false, error: null, page: 1, hasPrev: false, hasNext: false, loaded: false });
  let generation = 0;

  async function load(token) {
    const mine = ++generation;
    state.loading = true;
    state.error = null;
    try {
      const { rows, next } = await fetchPage(token);
      if (mine !== generation) return; // a newer request went out meanwhile
      cursor.answered(next);
      state.rows = rows;
      state.loaded = true;
    } catch (e) {
      if (mine !== generation) return;
      state.error = e;
      state.rows = [];
    } finally {
      if (mine === generation) {
        state.loading = false;
        state.page = cursor.page;
        state.hasPrev = cursor.hasPrev;
        state.hasNext = cursor.hasNext;
      }
    }
  }
  return {
    state,
    reload() {
      cursor.reset();
      return load('');
    },
    retry() {
      return load(cursor.token);
    },
    next() {
      const token = cursor.forward();
      if (token !== null) return load(token);
      return Promise.resolve();
    },
    prev() {
      const token = cursor.back();
      if (token !== null) return load(token);
      return Promise.resolve();
    },
  };
}
