// One result's standing in one region, as the resident's results page
// words it: "recognised until …" or the reason it is not, in the page's
// language (`why` and `until` come from the page's messages).
export function recognitionText(where, { why, until }) {
  if (!where) return '';
  if (where.status === 'recognised') return until(where.expires_at);
  return why(where.status);
}
