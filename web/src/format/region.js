// The names of the three provinces' codes (GB/T 2260) the pages show beside
// the codes themselves.
const kNames = {
  110000: { 'zh-CN': '北京', en: 'Beijing' },
  120000: { 'zh-CN': '天津', en: 'Tianjin' },
  130000: { 'zh-CN': '河北', en: 'Hebei' },
};

// "北京" for "110000" or "110105" (its province); the code itself when unknown.
export function regionName(code, locale = 'zh-CN') {
  const s = String(code || '');
  if (!/^\d{6}$/.test(s)) return s;
  const names = kNames[`${s.slice(0, 2)}0000`];
  if (!names) return s;
  return names[locale] || names['zh-CN'];
}

// "北京 (110000)"
export function regionLabel(code, locale = 'zh-CN') {
  const name = regionName(code, locale);
  return name === String(code) ? name : `${name} (${code})`;
}
