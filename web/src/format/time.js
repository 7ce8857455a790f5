// Dates and times in Beijing time (Asia/Shanghai, UTC+8, no daylight saving).
//
// The server writes local times without a zone ("2026-11-29 08:30:00"): those
// are Beijing time already and are shown as they are. A time with a zone
// (ISO 8601 with Z or an offset, or epoch milliseconds) is converted with Intl.

const kLocalText = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;
const kCompactText = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
const kDateText = /^(\d{4})-(\d{2})-(\d{2})$/;

const beijingParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Shanghai',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function partsOf(date) {
  const out = {};
  for (const p of beijingParts.formatToParts(date)) out[p.type] = p.value;
  return out;
}

// "yyyy-MM-dd HH:mm:ss" in Beijing time, or '' for an empty value. A text the
// function does not understand is returned unchanged rather than guessed at.
export function formatBeijing(value) {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'string') {
    const s = value.trim();
    let m = kLocalText.exec(s);
    if (m) return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6] ?? '00'}`;
    m = kCompactText.exec(s);
    if (m) return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}`;
    if (kDateText.test(s)) return s;
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) return value;
    return formatBeijing(new Date(ms));
  }
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const p = partsOf(date);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

// Today's date in Beijing ("yyyy-MM-dd"), or that of the moment given.
export function beijingDate(date = new Date()) {
  const p = partsOf(date);
  return `${p.year}-${p.month}-${p.day}`;
}

// The month before the one of the moment given, as yyyyMM (the last month
// that can be closed).
export function previousMonth(date = new Date()) {
  const p = partsOf(date);
  let year = Number(p.year);
  let month = Number(p.month) - 1;
  if (month === 0) {
    month = 12;
    year -= 1;
  }
  return `${year}${String(month).padStart(2, '0')}`;
}

// "2026-11" from "202611".
export function formatMonth(setlym) {
  const s = String(setlym);
  return /^\d{6}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4)}` : s;
}
