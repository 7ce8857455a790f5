// Money as the receipt shows it: yuan with two places, from integer fen.
// Every step is integer arithmetic on BigInt; no amount ever passes through a
// floating-point number.

const kFenInteger = /^[+-]?\d+$/;
const kYuanText = /^([+-])?(\d+)(?:\.(\d{1,2}))?$/;

// An amount in fen as the server sends it (a JSON integer, the text of one,
// or a BigInt) as a BigInt. Anything else is a programming error: throw.
export function toFen(value) {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`not an integer amount of fen: ${value}`);
    }
    return BigInt(value);
  }
  if (typeof value === 'string' && kFenInteger.test(value.trim())) {
    return BigInt(value.trim());
  }
  throw new TypeError(`not an amount of fen: ${String(value)}`);
}

// "¥1,234.56" from 123456 fen; "-¥0.01" from -1. `symbol: ''` leaves the sign
// of the currency out (for table cells under a "yuan" heading).
export function formatFen(value, { symbol = '¥', grouping = true } = {}) {
  const fen = toFen(value);
  const negative = fen < 0n;
  const magnitude = negative ? -fen : fen;
  let yuan = (magnitude / 100n).toString();
  if (grouping) yuan = yuan.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (magnitude % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${symbol}${yuan}.${cents}`;
}

// The fen of a yuan text with at most two decimals ("7500.00", "-0.5", "12").
// The clearing reports write money this way. Refuses anything else.
export function yuanTextToFen(text) {
  const m = kYuanText.exec(String(text).trim());
  if (!m) throw new TypeError(`not an amount of yuan: ${String(text)}`);
  const [, sign, whole, frac = ''] = m;
  const fen = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0') || '0');
  return sign === '-' ? -fen : fen;
}

// The sum of amounts in fen, as a BigInt.
export function sumFen(values) {
  let total = 0n;
  for (const v of values) total += toFen(v);
  return total;
}

// Compare two amounts in fen (for sorting): -1, 0 or 1.
export function compareFen(a, b) {
  const x = toFen(a);
  const y = toFen(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// A fee line's amount: quantity × unit price rounded half away from zero to
// the fen, as the server checks it (docs/rounding.md). The quantity is text
// with at most four decimals ("2", "0.5"); the price is fen.
export function lineAmountFen(quantityText, priceFen) {
  const m = /^([+-])?(\d+)(?:\.(\d{1,4}))?$/.exec(String(quantityText).trim());
  if (!m) throw new TypeError(`not a quantity: ${String(quantityText)}`);
  const [, sign, whole, frac = ''] = m;
  const magnitudeE4 = BigInt(whole) * 10000n + BigInt(frac.padEnd(4, '0') || '0');
  const cntE4 = sign === '-' ? -magnitudeE4 : magnitudeE4;
  const product = cntE4 * toFen(priceFen);
  const magnitude = product < 0n ? -product : product;
  const fen = (magnitude + 5000n) / 10000n;
  return product < 0n ? -fen : fen;
}

// The text of a quantity in ten-thousandths ("2" -> 20000), as cnt_e4.
export function quantityE4(quantityText) {
  const m = /^([+-])?(\d+)(?:\.(\d{1,4}))?$/.exec(String(quantityText).trim());
  if (!m) throw new TypeError(`not a quantity: ${String(quantityText)}`);
  const [, sign, whole, frac = ''] = m;
  const e4 = BigInt(whole) * 10000n + BigInt(frac.padEnd(4, '0') || '0');
  return sign === '-' ? -e4 : e4;
}

// Yuan text with two places from fen, no symbol and no grouping ("1234.56"),
// as the national interface writes amounts.
export function fenToYuanText(value) {
  return formatFen(value, { symbol: '', grouping: false });
}
