// Writes data/persons.json: synthetic insured persons of Beijing, Tianjin and
// Hebei with valid GB 11643 ID numbers. Nobody here is real: names are random
// pairs of common surnames and given-name characters, numbers are made up.
//
// The first person is the seed's scenario (a Xingtai employee, insured at
// 130500, who is treated in Tianjin): see data/README.md, "Demo scenario".
//
// Reads data/regions.json (for the district codes of birth places) and
// nothing else. Usage (from data/):  node tools/gen_persons.mjs [--check]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, makeRng, pad, writeOrCheck } from './lib.mjs';

const SEED = 13050001;
const REFERENCE = { y: 2024, m: 6, d: 1 };  // ages are planned against this day

// Insurance region -> how many persons (the demo person is extra).
const PLAN = [
  ['110000', 330], ['120000', 270],
  ['130100', 150], ['130500', 159],
  ['130200', 50], ['130300', 30], ['130400', 60], ['130600', 60], ['130700', 20],
  ['130800', 20], ['130900', 30], ['131000', 30], ['131100', 20],
];

const SURNAMES = [...'王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹易常武乔贺龚文'];
const MALE = [...'伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林阳建亮成峰'];
const FEMALE = [...'芳娜敏静丽艳娟霞秀英玲桂兰燕萍红梅琳雪婷慧莉颖倩洁佳月晶欣悦'];
const MIDDLE = [...'子志文晓海春秋思雨嘉一永国新立家宏丹'];
const CHECK_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_MAP = '10X98765432';

const regions = JSON.parse(readFileSync(join(dataDir, 'regions.json'), 'utf8'));
const known = new Set(regions.map((r) => r.code));
// Birth places: districts and counties, leaving out development zones
// (codes xxxx7x), which do not issue ID numbers.
const districts = regions.filter((r) => r.level === 3 && r.code[4] !== '7').map((r) => r.code);
const districtsOf = (prefix) => districts.filter((c) => c.startsWith(prefix));

const rng = makeRng(SEED);

function checkChar(first17) {
  let sum = 0;
  for (let i = 0; i < 17; ++i) sum += Number(first17[i]) * CHECK_WEIGHTS[i];
  return CHECK_MAP[sum % 11];
}
function daysInMonth(y, m) {
  return [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}
function randomDate(yFrom, yTo) {
  const y = rng.int(yFrom, yTo);
  const m = rng.int(1, 12);
  return { y, m, d: rng.int(1, daysInMonth(y, m)) };
}
const iso = ({ y, m, d }) => `${y}-${pad(m, 2)}-${pad(d, 2)}`;
const compact = ({ y, m, d }) => `${y}${pad(m, 2)}${pad(d, 2)}`;
const before = (a, b) => iso(a) < iso(b);
function addDays({ y, m, d }, n) {
  const t = new Date(Date.UTC(y, m - 1, d) + n * 86400000);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}
function ageOn(birth, on) {
  let a = on.y - birth.y;
  if (on.m < birth.m || (on.m === birth.m && on.d < birth.d)) --a;
  return a;
}

const certnos = new Set();
const cardSns = new Set();
function makeCertno(place, birth, male) {
  for (;;) {
    let seq = rng.int(1, 999);
    if ((seq % 2 === 1) !== male) seq = seq === 999 ? 998 : seq + 1;
    const first17 = place + compact(birth) + pad(seq, 3);
    const id = first17 + checkChar(first17);
    if (!certnos.has(id)) {
      certnos.add(id);
      return id;
    }
  }
}
function makeCardSn() {
  for (;;) {
    const sn = 'ABCDEFGH'[rng.int(0, 7)] + rng.digits(8);
    if (!cardSns.has(sn)) {
      cardSns.add(sn);
      return sn;
    }
  }
}
function makeName(male) {
  const given = male ? MALE : FEMALE;
  const name = rng.pick(SURNAMES) + (rng.chance(0.7) ? rng.pick(MIDDLE) : '') + rng.pick(given);
  return name;
}

// Person kinds: [psn_type, insutype, weight, birth year range].
const KINDS = [
  ['1101', '310', 42, [1965, 2002]],  // employee in service
  ['1201', '310', 10, [1955, 1969]],  // employee retired, under 70 in 2024
  ['1201', '310', 6, [1934, 1954]],   // employee retired, 70 and over
  ['1401', '390', 12, [2007, 2021]],  // resident minor
  ['1402', '390', 6, [2001, 2012]],   // student
  ['1404', '390', 14, [1965, 2005]],  // resident adult
  ['1403', '390', 10, [1935, 1963]],  // resident elderly
];
const totalWeight = KINDS.reduce((s, k) => s + k[2], 0);
function pickKind() {
  let x = rng.int(1, totalWeight);
  for (const k of KINDS) {
    x -= k[2];
    if (x <= 0) return k;
  }
  return KINDS[0];
}

function provinceOf(code) { return code.slice(0, 2) + '0000'; }
const PROVINCES = ['110000', '120000', '130000'];

function makeFilings(insuplc, birth) {
  const own = provinceOf(insuplc);
  const others = PROVINCES.filter((p) => p !== own);
  const filings = [];
  const roll = rng.next();
  if (roll < 0.05) {
    // Long-term residence elsewhere (e.g. retired parents living with children).
    const begin = randomDate(2019, 2022);
    filings.push({ mdtrtarea_admvs: rng.pick(others), kind: 'residence', begin: iso(begin), end: null });
  } else if (roll < 0.10) {
    const begin = randomDate(2022, 2024);
    filings.push({ mdtrtarea_admvs: rng.pick(others), kind: 'temporary', begin: iso(begin), end: iso(addDays(begin, 90)) });
  } else if (roll < 0.13) {
    const begin = randomDate(2021, 2024);
    filings.push({ mdtrtarea_admvs: rng.pick(others), kind: 'referral', begin: iso(begin), end: iso(addDays(begin, 180)) });
  }
  for (const f of filings) if (before(parseIso(f.begin), birth)) f.begin = iso(addDays(birth, 1));
  return filings;
}
function parseIso(s) {
  return { y: Number(s.slice(0, 4)), m: Number(s.slice(5, 7)), d: Number(s.slice(8, 10)) };
}

function makePerson(insuplc, seq) {
  const [psnType, insutype, , [yFrom, yTo]] = pickKind();
  const male = rng.chance(0.5);
  const birth = randomDate(yFrom, yTo);
  const ownProvincePrefix = insuplc.slice(0, 2);
  const cityPrefix = insuplc.slice(2, 4) === '00' ? ownProvincePrefix : insuplc.slice(0, 4);
  let pool = districtsOf(cityPrefix);
  if (rng.chance(0.15)) pool = districts;  // born elsewhere in the three regions
  const place = rng.pick(pool);
  const certno = makeCertno(place, birth, male);

  const enrollments = [];
  let begin;
  if (insutype === '310') {
    const y = Math.max(1999, Math.min(2021, birth.y + rng.int(20, 26)));
    begin = { y, m: rng.int(1, 12), d: 1 };
    if (rng.chance(0.04) && y >= 2017) {
      // Was a resident before finding a job.
      enrollments.push({
        insutype: '390', insuplc_admdvs: insuplc, psn_type: '1404', psn_insu_stas: '4', cvlserv_flag: false,
        begin: iso({ y: 2016, m: 1, d: 1 }), end: iso(begin), opening_acct_balance_fen: 0,
      });
    }
  } else {
    begin = before(birth, { y: 2016, m: 1, d: 1 }) ? { y: 2016, m: 1, d: 1 } : addDays(birth, 0);
  }
  const employee = insutype === '310';
  const retired = psnType === '1201';
  const balance = employee ? rng.int(0, retired ? 1200000 : 800000) : 0;
  enrollments.push({
    insutype,
    insuplc_admdvs: insuplc,
    psn_type: psnType,
    psn_insu_stas: employee && rng.chance(0.01) ? '2' : '1',
    cvlserv_flag: employee && !retired && rng.chance(0.06),
    begin: iso(begin),
    end: null,
    opening_acct_balance_fen: balance,
  });
  return {
    psn_no: insuplc + pad(seq, 10),
    certno,
    psn_name: makeName(male),
    gend: male ? '1' : '2',
    birth: iso(birth),
    card_no: certno,
    card_sn: makeCardSn(),
    enrollments,
    filings: makeFilings(insuplc, birth),
  };
}

// The demo person: a Xingtai employee in service, born in 襄都区 (130502),
// insured at 130500 with 3,000.00 yuan in her personal account, no filing
// (so before 2023-04-01 a trip to Tianjin is unfiled, from then deemed filed).
function demoPerson() {
  const birth = { y: 1985, m: 3, d: 16 };
  const first17 = '130502' + compact(birth) + '024';
  const certno = first17 + checkChar(first17);
  certnos.add(certno);
  cardSns.add('D13050001');
  return {
    psn_no: '1305000000000001',
    certno,
    psn_name: '赵晓梅',
    gend: '2',
    birth: iso(birth),
    card_no: certno,
    card_sn: 'D13050001',
    enrollments: [{
      insutype: '310', insuplc_admdvs: '130500', psn_type: '1101', psn_insu_stas: '1', cvlserv_flag: false,
      begin: '2008-07-01', end: null, opening_acct_balance_fen: 300000,
    }],
    filings: [],
  };
}

const persons = [demoPerson()];
for (const [insuplc, count] of PLAN) {
  if (!known.has(insuplc)) throw new Error(`gen_persons: unknown region ${insuplc}`);
  const firstSeq = insuplc === '130500' ? 2 : 1;
  for (let i = 0; i < count; ++i) persons.push(makePerson(insuplc, firstSeq + i));
}
// Sanity: ages fit the kinds on the reference day.
for (const p of persons) {
  const age = ageOn(parseIso(p.birth), REFERENCE);
  const t = p.enrollments[p.enrollments.length - 1].psn_type;
  if ((t === '1101' && (age < 18 || age > 60)) || (t === '1401' && age >= 18)) throw new Error(`gen_persons: ${p.psn_no} age ${age} for ${t}`);
}

const text = '[\n' + persons.map((p) => '  ' + JSON.stringify(p)).join(',\n') + '\n]\n';
writeOrCheck('gen_persons', 'persons.json', text, `${persons.length} persons`);
