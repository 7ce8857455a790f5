// The counter routes' requests and answers as the cashier's pages use them
// (docs/counter.md): the bodies each POST sends and the fields read from
// each answer, in one place, so that the pages hold no field names of the
// interface themselves. Answers carry money both as the interface's yuan
// text and as integer `*_fen` beside it; the pages read only the `*_fen`.
import { fenToYuanText, lineAmountFen, toFen } from '../../format/money.js';

// The person of GET /api/v1/counter/persons (1101): its base information
// and its enrollments, whether the answer nests them as the interface does
// (baseinfo, insuinfo[]) or gives them flat.
export function personOf(answer) {
  const a = answer || {};
  const base = a.baseinfo || a.person || a;
  const enrollments = a.insuinfo || a.enrollments || base.insuinfo || [];
  return { base, enrollments: Array.isArray(enrollments) ? enrollments : [] };
}

// A catalogue item of GET /api/v1/counter/items: its code, name, price (fen)
// and category as the fee-line form needs them.
export function itemOf(raw) {
  const code = raw.med_list_codg || raw.hilist_code || raw.code || raw.item_code || '';
  const name = raw.hilist_name || raw.name || raw.item_name || code;
  const priceField = ['pric_fen', 'price_fen', 'pric_uplmt_amt_fen', 'price_cap_fen'].find(
    (k) => raw[k] !== undefined && raw[k] !== null,
  );
  return {
    code,
    name,
    price_fen: priceField ? toFen(raw[priceField]) : null,
    cap_fen: raw.pric_uplmt_amt_fen !== undefined && raw.pric_uplmt_amt_fen !== null ? toFen(raw.pric_uplmt_amt_fen) : null,
    category: raw.chrgitm_lv || raw.category || raw.list_type || '',
    raw,
  };
}

// POST /api/v1/counter/visits
export function visitBody({ kind, psn_no, insutype, med_type, dise_codg, begntime }) {
  const body = { kind, psn_no, insutype, med_type };
  if (dise_codg) body.dise_codg = dise_codg;
  if (begntime) body.begntime = begntime;
  return body;
}

// One fee line of the form: item, quantity text (up to four decimals),
// unit price in fen; its amount rounded as the server checks it.
export function lineOf(item, quantityText, priceFen) {
  return { item, quantity: quantityText, price_fen: toFen(priceFen), amount_fen: lineAmountFen(quantityText, priceFen) };
}

// POST /api/v1/counter/visits/{mdtrt_id}/fees: the lines as 2204 carries
// them (cnt and pric as exact decimal text, amounts also as *_fen).
export function feesBody(lines, feeTime) {
  return {
    feedetail: lines.map((l, i) => ({
      feedetl_sn: l.feedetl_sn || `${Date.now().toString(36)}${i}`,
      med_list_codg: l.item.code,
      medins_list_codg: l.item.code,
      cnt: String(l.quantity),
      pric: fenToYuanText(l.price_fen),
      pric_fen: Number(l.price_fen),
      det_item_fee_sumamt: fenToYuanText(l.amount_fen),
      det_item_fee_sumamt_fen: Number(l.amount_fen),
      ...(feeTime ? { fee_ocur_time: feeTime } : {}),
    })),
  };
}

// The settlement part of a presettle or settle answer (the interface nests
// it as setlinfo; the counter may give it flat), with setl_id when settled.
export function settlementOf(answer) {
  const a = answer || {};
  const s = a.setlinfo || a.settlement || a;
  const funds = a.setldetail || s.setldetail || s.funds;
  return { ...s, setl_id: s.setl_id || a.setl_id || '', ...(funds ? { funds } : {}) };
}

// The fee lines of an answer that has them (the fees' answer's result[], or
// a visit's lines).
export function feeResultsOf(answer) {
  const a = answer || {};
  const rows = a.result || a.lines || a.feedetail || [];
  return Array.isArray(rows) ? rows : [];
}

// Today's first local time yyyy-MM-dd HH:mm:ss from a Beijing date and time
// of day; the server reads local (Beijing) times.
export function localTime(date, time = '00:00:00') {
  return `${date} ${time}`;
}
