// The counter routes' requests and answers as the cashier's pages use them
// (docs/counter.md): the bodies each POST sends and the fields read from
// each answer, in one place, so that the pages hold no field names of the
// interface themselves. Answers carry money both as the interface's yuan
// text and as integer `*_fen` beside it; the pages read only the `*_fen`.
import { lineAmountFen, toFen, yuanTextToFen } from '../../format/money.js';

// The person of GET /api/v1/counter/persons (1101): its base information
// (baseinfo, or the answer's own psn_no, psn_name, ...) and its enrollments
// (insuinfo[]: insutype, insuplc_admdvs, balc with balc_fen).
export function personOf(answer) {
  const a = answer || {};
  const base = { ...a, ...(a.baseinfo || {}) };
  const enrollments = Array.isArray(a.insuinfo) && a.insuinfo.length > 0
    ? a.insuinfo
    : a.insutype
      ? [{ insutype: a.insutype, insuplc_admdvs: a.insuplc_admdvs, balc: a.balc, balc_fen: a.balc_fen }]
      : [];
  return { base, enrollments };
}

// A catalogue item of GET /api/v1/counter/items: its code, name, class
// (甲 01, 乙 02, 丙 03), price cap in fen (null without one) and upfront
// self-pay share. The catalogue has no price: the cashier enters it (the
// cap is offered).
export function itemOf(raw) {
  const cap = raw.pric_uplmt_amt_fen;
  return {
    code: raw.med_list_codg || '',
    name: raw.hilist_name || raw.med_list_codg || '',
    category: raw.chrgitm_lv || '',
    kind: raw.kind || '',
    cap_fen: cap === undefined || cap === null ? null : toFen(cap),
    selfpay_prop: raw.selfpay_prop ?? '',
  };
}

// POST /api/v1/counter/visits: kind outpatient | inpatient, psn_no,
// insutype, begntime, optional med_type, insuplc_admdvs, dise_codg with
// dise_name.
export function visitBody({ kind, psn_no, insutype, insuplc_admdvs, med_type, dise_codg, dise_name, begntime }) {
  const body = { kind, psn_no, insutype, begntime };
  if (med_type) body.med_type = med_type;
  if (insuplc_admdvs) body.insuplc_admdvs = insuplc_admdvs;
  if (dise_codg) {
    body.dise_codg = dise_codg;
    body.dise_name = dise_name || dise_codg;
  }
  return body;
}

// One fee line of the form: the item, the quantity text (at most four
// decimals) and the unit price's yuan text (at most two); its amount
// rounded as the server checks it (docs/rounding.md). null when the
// quantity or the price is not such a number.
const kQuantity = /^\d+(\.\d{1,4})?$/;
const kPrice = /^\d+(\.\d{1,2})?$/;
export function lineOf(item, quantityText, priceYuanText) {
  const quantity = String(quantityText).trim();
  const price = String(priceYuanText).trim();
  if (!kQuantity.test(quantity) || !kPrice.test(price)) return null;
  const priceFen = yuanTextToFen(price);
  return { item, quantity, price_fen: priceFen, amount_fen: lineAmountFen(quantity, priceFen) };
}

// Fee lines one upload may carry: the server's bound
// (CounterService::kFeeLinesPerCallMax).
export const kFeeLinesMax = 1000;
// Catalogue items one search shows (the server allows 1..100).
export const kItemsShownMax = 20;

// POST /api/v1/counter/visits/{mdtrt_id}/fees: {fees: [{med_list_codg, cnt,
// pric_fen}]}; the server makes the serial numbers, the time (the visit's
// start) and the amount (cnt × pric to the fen) itself.
export function feesBody(lines) {
  return {
    fees: lines.map((l) => ({ med_list_codg: l.item.code, cnt: l.quantity, pric_fen: Number(l.price_fen) })),
  };
}

// The receipt of a presettle, settle or reverse answer (its `receipt`, with
// the settlement's ids and time beside it), shaped as GET
// /api/v1/settlements/{setl_id} answers so that one Receipt shows both.
export function settlementOf(answer) {
  const a = answer || {};
  const out = { ...(a.receipt || {}) };
  for (const k of ['setl_id', 'orig_setl_id', 'mdtrt_id', 'psn_no', 'psn_name', 'insutype', 'med_type', 'setl_time']) {
    if (a[k] !== undefined && a[k] !== '') out[k] = a[k];
  }
  return out;
}

// The split of each uploaded fee line (the fees answer's result[]).
export function feeResultsOf(answer) {
  const rows = (answer && answer.result) || [];
  return Array.isArray(rows) ? rows : [];
}
