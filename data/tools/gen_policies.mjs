// Writes data/policies.json: the insurance places' policies (参保地政策) for
// Beijing 110000, Tianjin 120000, Hebei 130000 (province-wide default,
// sample values modelled on Shijiazhuang), Shijiazhuang 130100 and Xingtai
// 130500, and the 视同备案 rule of the three regions.
//
// The tables below are the single place where the figures are typed. Each
// policy's "source" names the published material it follows (listed with
// citations in data/README.md, "Sources") and which of its values are
// samples. "sample": false means the deductibles and ratios are published
// figures; caps or overflow layers may still be samples, and the source says
// so. Format: data/README.md, "policies.json".
//
// Usage (from data/):  node tools/gen_policies.mjs [--check]
import { layout, writeOrCheck } from './lib.mjs';

const OPEN = null;  // upper_fen of an open-ended band; end of an open validity
const Y = (yuan) => yuan * 100;  // fen
const P = (pct) => Math.round(pct * 100);  // basis points
const emp = (inService, retired, retired70 = retired) => ({ in_service: inService, retired, retired_70: retired70 });
const res = (minor, adult, elderly = adult) => ({ resident_minor: minor, resident_adult: adult, resident_elderly: elderly });
const LEVELS = [1, 2, 3];
const UNFILED_CUT_BP = 1000;  // Handan employee: an unfiled cross-province trip cut 10 points

function fundRow(fund, payType, capFen, capKey, overflowTo = null, overflowRatio = {}) {
  return { fund, fund_pay_type: payType, annual_cap_fen: capFen, cap_key: capKey, overflow_to: overflowTo, overflow_ratio_bp: overflowRatio };
}
// The employee pooled fund with the large-amount layer above its cap, and the
// resident pooled fund with the critical-illness layer above its cap. The
// pooled row's overflow_ratio_bp is the ratio at which the layer above pays
// once the pooled cap is reached; the top layer overflows nowhere.
function employeeFunds(admdvs, scope, pooledCap, largeCap, overRatio) {
  return [
    fundRow('pooled', '310100', pooledCap, `${admdvs}.310.pooled.${scope}`, 'large_amount', overRatio),
    fundRow('large_amount', '330100', largeCap, `${admdvs}.310.large_amount`),
  ];
}
function residentFunds(admdvs, scope, pooledCap, criticalCap, overRatio) {
  return [
    fundRow('pooled', '390100', pooledCap, `${admdvs}.390.pooled.${scope}`, 'critical_illness', overRatio),
    fundRow('critical_illness', '390200', criticalCap, `${admdvs}.390.critical_illness`),
  ];
}
const oneBand = (ratio) => [{ upper_fen: OPEN, fund: 'pooled', ratio_bp: ratio }];

const policies = [];
function add(p) {
  const scopeOf = { '11': 'outpatient', '14': 'chronic', '21': 'inpatient' };
  const base = {
    id: `${p.admdvs}-${p.insutype}-${p.med_type}-${p.hosp_lv}-${p.begin.slice(0, 4)}`,
    insuplc_admdvs: p.admdvs,
    insutype: p.insutype,
    med_type: p.med_type,
    hosp_lv: p.hosp_lv,
    begin: p.begin,
    end: p.end ?? null,
    sample: p.sample,
    source: p.source,
    deductible: {
      period: p.period,
      accum_key: `${p.admdvs}.${p.insutype}.${scopeOf[p.med_type]}`,
      first_fen: p.first,
      later_fen: p.later ?? {},
    },
    band_basis: p.basis ?? 'claim',
    band_accum_key: p.basis === 'year' ? `${p.admdvs}.${p.insutype}.${scopeOf[p.med_type]}` : '',
    bands: p.bands,
    funds: p.funds,
    unfiled_cut_bp: p.unfiled_cut_bp ?? UNFILED_CUT_BP,
  };
  policies.push(base);
}

// ---------------------------------------------------------------- Beijing
{
  const A = '110000';
  // Employee inpatient (since 2019): 1,300 first stay, 650 later stays;
  // bands by level; pooled 100,000 + large-amount 400,000 a year, the
  // large-amount fund paying 85% / 90% above 100,000.
  const bands = {
    1: [[9000, 9700], [9500, 9850], [9700, 9910]],
    2: [[8700, 9610], [9200, 9760], [9700, 9910]],
    3: [[8500, 9550], [9000, 9700], [9500, 9850]],
  };
  const large = emp(P(85), P(90));
  for (const lv of LEVELS) {
    const b = bands[lv];
    add({
      admdvs: A, insutype: '310', med_type: '21', hosp_lv: lv, begin: '2019-01-01', sample: false,
      source: 'published: bj-310-inpatient (deductibles, bands, caps); band basis year [inference]; unfiled_cut_bp sample',
      period: 'stay', first: emp(Y(1300), Y(1300)), later: emp(Y(650), Y(650)), basis: 'year',
      bands: [
        { upper_fen: Y(30000), fund: 'pooled', ratio_bp: emp(b[0][0], b[0][1]) },
        { upper_fen: Y(40000), fund: 'pooled', ratio_bp: emp(b[1][0], b[1][1]) },
        { upper_fen: Y(100000), fund: 'pooled', ratio_bp: emp(b[2][0], b[2][1]) },
        { upper_fen: OPEN, fund: 'large_amount', ratio_bp: large },
      ],
      funds: employeeFunds(A, 'inpatient', Y(100000), Y(400000), large),
      unfiled_cut_bp: 1000,
    });
  }
  // Employee outpatient: 1,800 / 1,300 a year; up to 20,000 hospitals 70 /
  // 85 / 90%, community clinics (level 1) 90%; above 20,000 60 / 80%; cap 20,000.
  for (const lv of LEVELS) {
    add({
      admdvs: A, insutype: '310', med_type: '11', hosp_lv: lv, begin: '2019-01-01', sample: false,
      source: 'published: bj-310-outpatient; unfiled_cut_bp sample',
      period: 'year', first: emp(Y(1800), Y(1300)), basis: 'year',
      bands: [
        { upper_fen: Y(20000), fund: 'pooled', ratio_bp: lv === 1 ? emp(P(90), P(90), P(90)) : emp(P(70), P(85), P(90)) },
        { upper_fen: OPEN, fund: 'pooled', ratio_bp: emp(P(60), P(80)) },
      ],
      funds: [fundRow('pooled', '310100', Y(20000), `${A}.310.pooled.outpatient`)],
      unfiled_cut_bp: 1000,
    });
  }
  // Resident (2023) inpatient: 300 / 800 / 1,300 by level, halved for minors
  // and students, and for later stays of everyone; 80 / 78 / 75%; cap 250,000.
  const resIn = { 1: [300, P(80)], 2: [800, P(78)], 3: [1300, P(75)] };
  for (const lv of LEVELS) {
    const [ded, ratio] = resIn[lv];
    add({
      admdvs: A, insutype: '390', med_type: '21', hosp_lv: lv, begin: '2023-01-01', sample: false,
      source: 'published: bj-390-2023 (deductibles, ratios, cap); critical-illness layer and unfiled_cut_bp sample',
      period: 'stay', first: res(Y(ded / 2), Y(ded)), later: res(Y(ded / 2), Y(ded / 2)),
      bands: oneBand(res(ratio, ratio)),
      funds: residentFunds(A, 'inpatient', Y(250000), Y(400000), res(P(60), P(60))),
      unfiled_cut_bp: 1000,
    });
  }
  // Resident (2023) outpatient: 100 / 550 / 550 a year; 55 / 50 / 50%; cap 4,500.
  const resOut = { 1: [100, P(55)], 2: [550, P(50)], 3: [550, P(50)] };
  for (const lv of LEVELS) {
    const [ded, ratio] = resOut[lv];
    add({
      admdvs: A, insutype: '390', med_type: '11', hosp_lv: lv, begin: '2023-01-01', sample: false,
      source: 'published: bj-390-2023; unfiled_cut_bp sample',
      period: 'year', first: res(Y(ded), Y(ded)),
      bands: oneBand(res(ratio, ratio)),
      funds: [fundRow('pooled', '390100', Y(4500), `${A}.390.pooled.outpatient`)],
      unfiled_cut_bp: 1000,
    });
  }
}

// ---------------------------------------------------------------- Tianjin
{
  const A = '120000';
  // Employee inpatient: deductible first / later stay by level; pooled cap
  // 150,000, large-amount relief 350,000. Ratios are samples.
  const ded = { 1: [800, 270], 2: [1100, 350], 3: [1700, 500] };
  const ratio = { 1: emp(9000, 9300), 2: emp(8800, 9100), 3: emp(8500, 8800) };
  for (const lv of LEVELS) {
    add({
      admdvs: A, insutype: '310', med_type: '21', hosp_lv: lv, begin: '2019-01-01', sample: true,
      source: 'published: tj-310-inpatient (deductibles, caps); ratios, large-amount ratio and unfiled_cut_bp sample',
      period: 'stay', first: emp(Y(ded[lv][0]), Y(ded[lv][0])), later: emp(Y(ded[lv][1]), Y(ded[lv][1])),
      bands: oneBand(ratio[lv]),
      funds: employeeFunds(A, 'inpatient', Y(150000), Y(350000), emp(P(85), P(90))),
    });
  }
  // Employee outpatient (from 2022): 800 / 700 / 650 a year; up to 5,500
  // 75 / 65 / 55% by level; 5,500 to the cap 55%; cap 9,000.
  const lvRatio = { 1: P(75), 2: P(65), 3: P(55) };
  for (const lv of LEVELS) {
    const r = lvRatio[lv];
    add({
      admdvs: A, insutype: '310', med_type: '11', hosp_lv: lv, begin: '2022-01-01', sample: false,
      source: 'published: tj-310-outpatient-2022; unfiled_cut_bp sample',
      period: 'year', first: emp(Y(800), Y(700), Y(650)), basis: 'year',
      bands: [
        { upper_fen: Y(5500), fund: 'pooled', ratio_bp: emp(r, r, r) },
        { upper_fen: OPEN, fund: 'pooled', ratio_bp: emp(P(55), P(55), P(55)) },
      ],
      funds: [fundRow('pooled', '310100', Y(9000), `${A}.310.pooled.outpatient`)],
    });
  }
  // Resident (2022), high contribution tier: inpatient deductible 500 at every
  // level, none from the second stay; 85 / 80 / 75%; cap 180,000.
  const resRatio = { 1: P(85), 2: P(80), 3: P(75) };
  for (const lv of LEVELS) {
    add({
      admdvs: A, insutype: '390', med_type: '21', hosp_lv: lv, begin: '2022-01-01', sample: false,
      source: 'published: tj-390-2022, high tier (the low tier is 75/70/65%); critical-illness layer and unfiled_cut_bp sample',
      period: 'stay', first: res(Y(500), Y(500)), later: res(0, 0),
      bands: oneBand(res(resRatio[lv], resRatio[lv])),
      funds: residentFunds(A, 'inpatient', Y(180000), Y(300000), res(P(60), P(60))),
    });
  }
  // Resident (2022) outpatient: deductible 600, cap 4,000; the ratio is a sample.
  add({
    admdvs: A, insutype: '390', med_type: '11', hosp_lv: 0, begin: '2022-01-01', sample: true,
    source: 'published: tj-390-2022 (deductible, cap); ratio and unfiled_cut_bp sample',
    period: 'year', first: res(Y(600), Y(600)),
    bands: oneBand(res(P(50), P(50))),
    funds: [fundRow('pooled', '390100', Y(4000), `${A}.390.pooled.outpatient`)],
  });
}

// ---------------------------------------------------------------- Hebei
// Shijiazhuang employee inpatient (2024): level 1 100 / 98%, level 2 500 / 90%,
// city tertiary 600 / 85%; retired: deductible 100 lower (not below 100),
// ratio 3 points higher (not above 100%). Provincial tertiary (900 / 82%) is
// not a level of its own in this model: level 3 takes the city tertiary row.
function retiredDed(yuan) { return Math.max(100, yuan - 100); }
function retiredRatio(bp) { return Math.min(10000, bp + 300); }
function employeeInpatient(A, begin, end, table, sample, source, caps) {
  for (const lv of LEVELS) {
    const [ded, ratio] = table[lv];
    const first = emp(Y(ded), Y(retiredDed(ded)));
    add({
      admdvs: A, insutype: '310', med_type: '21', hosp_lv: lv, begin, end, sample, source,
      period: 'stay', first, later: first,
      bands: oneBand(emp(ratio, retiredRatio(ratio))),
      funds: employeeFunds(A, 'inpatient', caps[0], caps[1], emp(P(90), P(90))),
    });
  }
}
const SJZ_2024 = { 1: [100, P(98)], 2: [500, P(90)], 3: [600, P(85)] };
const SJZ_BEFORE = { 1: [200, P(95)], 2: [600, P(88)], 3: [800, P(85)] };
const HEBEI_CAPS = [Y(100000), Y(400000)];

function residentPolicies(A, begin, inTable, outDed, outRatio, outCap, source) {
  for (const lv of LEVELS) {
    const [ded, ratio] = inTable[lv];
    add({
      admdvs: A, insutype: '390', med_type: '21', hosp_lv: lv, begin, sample: true, source,
      period: 'stay', first: res(Y(ded / 2), Y(ded)), later: res(Y(ded / 2), Y(ded)),
      bands: oneBand(res(ratio, ratio)),
      funds: residentFunds(A, 'inpatient', Y(150000), Y(300000), res(P(60), P(60))),
    });
  }
  add({
    admdvs: A, insutype: '390', med_type: '11', hosp_lv: 0, begin, sample: true, source,
    period: 'year', first: res(Y(outDed), Y(outDed)),
    bands: oneBand(res(outRatio, outRatio)),
    funds: [fundRow('pooled', '390100', outCap, `${A}.390.pooled.outpatient`)],
  });
}
function employeeOutpatientSample(A, begin, table, capFen, source) {
  for (const lv of LEVELS) {
    const [ratio, retiredR] = table[lv];
    add({
      admdvs: A, insutype: '310', med_type: '11', hosp_lv: lv, begin, sample: true, source,
      period: 'year', first: emp(Y(200), Y(150)),
      bands: oneBand(emp(ratio, retiredR)),
      funds: [fundRow('pooled', '310100', capFen, `${A}.310.pooled.outpatient`)],
    });
  }
}
const HEBEI_RES_IN = { 1: [200, P(90)], 2: [500, P(80)], 3: [900, P(65)] };
const HEBEI_OUT = { 1: [P(60), P(70)], 2: [P(55), P(65)], 3: [P(50), P(60)] };

// Hebei province-wide default: every value a sample modelled on Shijiazhuang.
{
  const A = '130000';
  const s = 'sample: modelled on Shijiazhuang (sjz-310-inpatient-2024); unfiled_cut_bp after Handan (hd-unfiled-cut)';
  employeeInpatient(A, '2019-01-01', null, SJZ_2024, true, s, HEBEI_CAPS);
  employeeOutpatientSample(A, '2019-01-01', HEBEI_OUT, Y(3000), 'sample; unfiled_cut_bp after Handan (hd-unfiled-cut)');
  residentPolicies(A, '2019-01-01', HEBEI_RES_IN, 100, P(50), Y(800), 'sample; unfiled_cut_bp after Handan (hd-unfiled-cut)');
}
// Shijiazhuang: the 2024 employee inpatient figures, and a sample version
// for the years before, so that the change of version on 2024-01-01 shows.
{
  const A = '130100';
  employeeInpatient(A, '2019-01-01', '2024-01-01', SJZ_BEFORE, true,
    'sample (the years before 2024); unfiled_cut_bp after Handan (hd-unfiled-cut)', HEBEI_CAPS);
  employeeInpatient(A, '2024-01-01', null, SJZ_2024, false,
    'published: sjz-310-inpatient-2024 (deductibles, ratios; provincial tertiary not modelled); caps, large-amount layer sample; unfiled_cut_bp after Handan (hd-unfiled-cut)', HEBEI_CAPS);
  employeeOutpatientSample(A, '2019-01-01', HEBEI_OUT, Y(3000), 'sample; unfiled_cut_bp after Handan (hd-unfiled-cut)');
  residentPolicies(A, '2019-01-01', HEBEI_RES_IN, 100, P(50), Y(800), 'sample; unfiled_cut_bp after Handan (hd-unfiled-cut)');
}
// Xingtai: employee outpatient published; the rest samples.
{
  const A = '130500';
  // Deductible 100 a year; 50% in service, 60% retired; caps 1,600 in
  // service, 2,000 retired. One fund row carries one cap, so the cap is the
  // larger one (2,000) and the in-service cap is a band: the year's in-scope
  // total up to 3,300 (100 deductible + 3,200 at 50% = 1,600) is paid, above
  // it in-service persons get 0% while retired persons go on at 60% up to
  // the 2,000 cap.
  add({
    admdvs: A, insutype: '310', med_type: '11', hosp_lv: 0, begin: '2019-01-01', sample: false,
    source: 'published: xt-310-outpatient (in-service cap as a band, see data/README.md); unfiled_cut_bp after Handan (hd-unfiled-cut)',
    period: 'year', first: emp(Y(100), Y(100)), basis: 'year',
    bands: [
      { upper_fen: Y(3300), fund: 'pooled', ratio_bp: emp(P(50), P(60)) },
      { upper_fen: OPEN, fund: 'pooled', ratio_bp: emp(0, P(60)) },
    ],
    funds: [fundRow('pooled', '310100', Y(2000), `${A}.310.pooled.outpatient`)],
  });
  // Outpatient chronic and special disease (门诊慢特病, med_type 14): no
  // figure for Xingtai employees was found, so a sample: no deductible,
  // 80% in service / 85% retired, 10,000 a year. The 视同备案 rule leaves
  // 14 out, so a cross-province visit is cut unless the person is filed.
  add({
    admdvs: A, insutype: '310', med_type: '14', hosp_lv: 0, begin: '2019-01-01', sample: true,
    source: 'sample: outpatient chronic disease; unfiled_cut_bp after Handan (hd-unfiled-cut)',
    period: 'year', first: emp(0, 0),
    bands: oneBand(emp(P(80), P(85))),
    funds: [fundRow('pooled', '310100', Y(10000), `${A}.310.pooled.chronic`)],
  });
  employeeInpatient(A, '2019-01-01', null, { 1: [200, P(95)], 2: [500, P(88)], 3: [800, P(85)] }, true,
    'sample; unfiled_cut_bp after Handan (hd-unfiled-cut)', [Y(100000), Y(300000)]);
  residentPolicies(A, '2019-01-01', { 1: [200, P(88)], 2: [500, P(78)], 3: [1000, P(63)] }, 100, P(50), Y(600),
    'sample; unfiled_cut_bp after Handan (hd-unfiled-cut)');
}

const deemedFiled = [{
  provinces: ['110000', '120000', '130000'],
  med_types: ['11', '21'],
  begin: '2023-04-01',
  end: null,
  source: 'published: jjj-deemed-filed-2023 (inpatient, ordinary outpatient and drug purchase; outpatient chronic/special disease excluded)',
}];

const ids = new Set();
for (const p of policies) {
  if (ids.has(p.id)) throw new Error(`gen_policies: duplicate id ${p.id}`);
  ids.add(p.id);
}
const text = layout({ policies, deemed_filed: deemedFiled }) + '\n';
writeOrCheck('gen_policies', 'policies.json', text, `${policies.length} policies, ${deemedFiled.length} deemed-filed rule`);
