// The names the pages show beside region codes (GB/T 2260): the province's
// short name in either language, and the place itself (prefecture or
// county, "邢台市", "河西区") from the same region table the server is
// initialised from (data/regions.json, bundled at build time: about 23 KiB,
// 7 KiB gzip, so nothing is asked of the server for a name).
import regions from '../../../data/regions.json';

const kProvinces = {
  110000: { 'zh-CN': '北京', en: 'Beijing' },
  120000: { 'zh-CN': '天津', en: 'Tianjin' },
  130000: { 'zh-CN': '河北', en: 'Hebei' },
};
// The municipalities' prefecture level is a placeholder, not a place.
const kNotAPlace = new Set(['市辖区', '县']);
const kPlaces = new Map(regions.filter((r) => r.level > 1 && !kNotAPlace.has(r.name)).map((r) => [r.code, r.name]));

// "北京" for "110000" or "110105" (its province); the code itself when unknown.
export function regionName(code, locale = 'zh-CN') {
  const s = String(code || '');
  if (!/^\d{6}$/.test(s)) return s;
  const names = kProvinces[`${s.slice(0, 2)}0000`];
  if (!names) return s;
  return names[locale] || names['zh-CN'];
}

// "河北 邢台市" for "130500", "天津 河西区" for "120103", "北京" for "110000":
// the province, then the place when the code names one below it.
export function placeName(code, locale = 'zh-CN') {
  const province = regionName(code, locale);
  const s = String(code || '');
  if (province === s) return s;
  const place = kPlaces.get(s) || (s.endsWith('00') ? undefined : kPlaces.get(`${s.slice(0, 4)}00`));
  return place ? `${province} ${place}` : province;
}

// "河北 邢台市 (130500)"
export function regionLabel(code, locale = 'zh-CN') {
  const name = placeName(code, locale);
  return name === String(code) ? name : `${name} (${code})`;
}
