// Writes data/recognition.json: mutual recognition of examination and test
// results (检查检验结果互认) in Beijing 110000, Tianjin 120000 and Hebei 130000:
// the recognised items with their validity periods, the items each region
// lists, which institutions are qualified for which items, and prices for the
// items the sample catalogue does not hold.
//
// What is published (shared/design/DOMAIN.md, section 4): the item names of
// the 2023-2024 round (24 biochemistry items, 19 immunology items HBsAg ...
// beta-HCG, 5 blood-cell items) and the 2017 imaging round (7 X-ray, 5 CT,
// 5 MRI). Everything else is a sample: item codes, units as commonly
// reported, validity periods (no official period was found), listing and
// qualification dates, and prices. data/README.md lists what differs on
// purpose (an item recognised in Beijing but not yet in Hebei, an
// institution that loses its qualification).
//
// Usage (from data/):  node tools/gen_recognition.mjs [--check]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, makeRng, writeOrCheck } from './lib.mjs';

const SEED = 20230101;
const ROUND = '2023-01-01';           // sample date standing for the 2023-2024 round
const HEBEI_HCY = '2025-01-01';       // Hebei lists Hcy from this day (sample)
const HBA1C_CHANGE = '2024-07-01';    // HbA1c validity 60 -> 90 days (sample)
const SHAHE_LOSES = '2024-07-01';     // H13058200001 fails quality control (sample)
const PRICE_BEGIN = '2021-03-01';     // as the catalogue
const HEBEI_MRI_CUT = '2024-07-01';   // Hebei's own-priced MRI items 10% lower (sample)
const REGIONS = ['110000', '120000', '130000'];
const PRICE_FACTOR_PCT = { '110000': 130, '120000': 115, '130000': 100 };  // as gen_catalog.mjs

// Catalogue service code of a 9-digit price-item code (gen_catalog.mjs).
const cat = (code9) => `00${code9}0000`;

// [abbr, name, unit, validity days (sample), catalogue link or null, Hebei price in yuan when unlinked]
const BIOCHEMISTRY = [
  ['K', '钾', 'mmol/L', 7, cat('250304001'), null], ['Na', '钠', 'mmol/L', 7, null, 5], ['Cl', '氯', 'mmol/L', 7, null, 5],
  ['Ca', '钙', 'mmol/L', 7, null, 5], ['P', '无机磷', 'mmol/L', 7, null, 5], ['TP', '总蛋白', 'g/L', 14, null, 4],
  ['Alb', '白蛋白', 'g/L', 14, null, 4], ['TC', '总胆固醇', 'mmol/L', 14, cat('250303001'), null],
  ['TG', '甘油三酯', 'mmol/L', 14, cat('250303002'), null], ['Cre', '肌酐', 'umol/L', 14, cat('250307005'), null],
  ['Urea', '尿素', 'mmol/L', 14, cat('250307001'), null], ['UA', '尿酸', 'umol/L', 14, cat('250307011'), null],
  ['Glu', '葡萄糖', 'mmol/L', 7, cat('250302001'), null], ['ALT', '丙氨酸氨基转移酶', 'U/L', 14, cat('250305004'), null],
  ['AST', '天门冬氨酸氨基转移酶', 'U/L', 14, cat('250305005'), null], ['GGT', 'γ-谷氨酰基转移酶', 'U/L', 14, null, 5],
  ['LDH', '乳酸脱氢酶', 'U/L', 14, null, 6], ['CK', '肌酸激酶', 'U/L', 7, null, 6],
  ['HDL-C', '高密度脂蛋白胆固醇', 'mmol/L', 14, null, 8], ['LDL-C', '低密度脂蛋白胆固醇', 'mmol/L', 14, null, 8],
  ['HbA1c', '糖化血红蛋白', '%', 60, cat('250302005'), null], ['Amy', '淀粉酶', 'U/L', 7, null, 8],
  ['ALP', '碱性磷酸酶', 'U/L', 14, null, 5], ['Hcy', '同型半胱氨酸', 'umol/L', 30, null, 40],
];
const IMMUNOLOGY = [
  ['HBsAg', '乙型肝炎表面抗原', 'IU/mL', 30, cat('250403001'), null], ['HBsAb', '乙型肝炎表面抗体', 'mIU/mL', 30, null, 20],
  ['HBeAg', '乙型肝炎e抗原', 'S/CO', 30, null, 20], ['HBeAb', '乙型肝炎e抗体', 'S/CO', 30, null, 20],
  ['HBcAb', '乙型肝炎核心抗体', 'S/CO', 30, null, 20], ['HCV-Ab', '丙型肝炎抗体', 'S/CO', 30, null, 35],
  ['TP-Ab', '梅毒螺旋体抗体', 'S/CO', 30, null, 30], ['HIV-Ab', '人免疫缺陷病毒抗体', 'S/CO', 30, null, 35],
  ['AFP', '甲胎蛋白', 'ng/mL', 30, null, 30], ['CEA', '癌胚抗原', 'ng/mL', 30, null, 30],
  ['CA125', '糖类抗原125', 'U/mL', 30, null, 60], ['CA19-9', '糖类抗原19-9', 'U/mL', 30, null, 60],
  ['tPSA', '总前列腺特异性抗原', 'ng/mL', 30, null, 50], ['TSH', '促甲状腺激素', 'mIU/L', 30, null, 30],
  ['FT3', '游离三碘甲状腺原氨酸', 'pmol/L', 30, null, 25], ['FT4', '游离甲状腺素', 'pmol/L', 30, null, 25],
  ['T3', '总三碘甲状腺原氨酸', 'nmol/L', 30, null, 20], ['T4', '总甲状腺素', 'nmol/L', 30, null, 20],
  ['beta-HCG', 'β-人绒毛膜促性腺激素', 'IU/L', 3, null, 40],
];
// The blood-cell items are reported by one panel, 血细胞分析 (20 yuan in
// Hebei's sample catalogue); each item here is priced at a fifth of it.
const BLOOD_CELL = [
  ['WBC', '白细胞计数', '10^9/L', 7, null, 4], ['RBC', '红细胞计数', '10^12/L', 7, null, 4],
  ['Hb', '血红蛋白', 'g/L', 7, null, 4], ['PLT', '血小板计数', '10^9/L', 7, null, 4],
  ['HCT', '红细胞压积', '%', 7, null, 4],
];
// Recognised in Beijing only (Beijing recognises far more items than the joint list).
const BEIJING_ONLY_LAB = [
  ['PCT', '降钙素原', 'ng/mL', 3, null, 120], ['D-D', 'D-二聚体', 'mg/L FEU', 3, cat('250203066'), null],
];
// [abbr, name, modality, body part, validity days (sample), catalogue link or null, Hebei price in yuan when unlinked]
const IMAGING = [
  ['DR-CHEST-PA', '胸部正位X线摄影', 'XR', '胸部', 30, cat('210102001'), null],
  ['DR-CHEST-2V', '胸部正侧位X线摄影', 'XR', '胸部', 30, null, 90],
  ['DR-ABD', '腹部立位X线摄影', 'XR', '腹部', 7, null, 60],
  ['DR-CSPINE', '颈椎正侧位X线摄影', 'XR', '颈椎', 90, null, 90],
  ['DR-LSPINE', '腰椎正侧位X线摄影', 'XR', '腰椎', 90, null, 90],
  ['DR-KNEE', '膝关节正侧位X线摄影', 'XR', '膝关节', 90, null, 90],
  ['DR-PELVIS', '骨盆正位X线摄影', 'XR', '骨盆', 90, null, 60],
  ['CT-HEAD', '头颅CT平扫', 'CT', '头颅', 30, cat('210300001'), null],
  ['CT-CHEST', '胸部CT平扫', 'CT', '胸部', 30, cat('210300002'), null],
  ['CT-ABD', '上腹部CT平扫', 'CT', '上腹部', 30, cat('210300003'), null],
  ['CT-CSPINE', '颈椎CT平扫', 'CT', '颈椎', 90, null, 220],
  ['CT-LSPINE', '腰椎CT平扫', 'CT', '腰椎', 90, null, 220],
  ['MR-HEAD', '头颅磁共振平扫', 'MR', '头颅', 90, cat('210400001'), null],
  ['MR-CSPINE', '颈椎磁共振平扫', 'MR', '颈椎', 180, null, 520],
  ['MR-LSPINE', '腰椎磁共振平扫', 'MR', '腰椎', 180, cat('210400002'), null],
  ['MR-KNEE', '膝关节磁共振平扫', 'MR', '膝关节', 180, null, 550],
  ['MR-PELVIS', '盆腔磁共振平扫', 'MR', '盆腔', 180, null, 600],
];

// ---- items: code = "JY" (检验) or "JC" (检查) + 2-digit group + 3-digit number.
const items = [];
function addLab(list, group, category) {
  list.forEach(([abbr, name, unit, days, catalogCode, priceYuan], i) => {
    items.push({ code: `JY${group}${String(i + 1).padStart(3, '0')}`, abbr, name, kind: 'lab', category, modality: null,
      body_part: null, unit, validity_days: days, catalog_code: catalogCode, priceYuan });
  });
}
addLab(BIOCHEMISTRY, '01', 'biochemistry');
addLab(IMMUNOLOGY, '02', 'immunology');
addLab(BLOOD_CELL, '03', 'blood_cell');
addLab(BEIJING_ONLY_LAB, '04', 'other');
const MODALITY_GROUP = { XR: '11', CT: '12', MR: '13' };
const modalityCount = { XR: 0, CT: 0, MR: 0 };
for (const [abbr, name, modality, bodyPart, days, catalogCode, priceYuan] of IMAGING) {
  modalityCount[modality] += 1;
  items.push({ code: `JC${MODALITY_GROUP[modality]}${String(modalityCount[modality]).padStart(3, '0')}`, abbr, name,
    kind: 'imaging', category: modality === 'XR' ? 'xray' : modality === 'CT' ? 'ct' : 'mri', modality,
    body_part: bodyPart, unit: null, validity_days: days, catalog_code: catalogCode, priceYuan });
}
const byAbbr = new Map(items.map((it) => [it.abbr, it]));
const code = (abbr) => {
  const it = byAbbr.get(abbr);
  if (!it) throw new Error(`gen_recognition: no item ${abbr}`);
  return it.code;
};
if (BIOCHEMISTRY.length !== 24 || IMMUNOLOGY.length !== 19 || BLOOD_CELL.length !== 5) throw new Error('gen_recognition: round counts');
if (modalityCount.XR !== 7 || modalityCount.CT !== 5 || modalityCount.MR !== 5) throw new Error('gen_recognition: imaging counts');

// Item versions. HbA1c's validity changes on a date (sample), to show that
// validity is dated data.
const itemVersions = [];
for (const it of items) {
  const base = { code: it.code, abbr: it.abbr, name: it.name, kind: it.kind, category: it.category, modality: it.modality,
    body_part: it.body_part, unit: it.unit, catalog_code: it.catalog_code, sample: true };
  if (it.abbr === 'HbA1c') {
    itemVersions.push({ ...base, validity_days: 60, begin: ROUND, end: HBA1C_CHANGE });
    itemVersions.push({ ...base, validity_days: 90, begin: HBA1C_CHANGE, end: null });
  } else {
    itemVersions.push({ ...base, validity_days: it.validity_days, begin: ROUND, end: null });
  }
}

// ---- listings: which items each region recognises, from when.
const joint = items.filter((it) => it.category !== 'other' && it.abbr !== 'Hcy').map((it) => it.code);
const listings = [];
for (const region of REGIONS) {
  listings.push({ region, items: joint, begin: ROUND, end: null, source: 'published item names (2023-2024 round, 2017 imaging round); date sample' });
}
listings.push({ region: '110000', items: [code('Hcy')], begin: ROUND, end: null, source: 'sample' });
listings.push({ region: '120000', items: [code('Hcy')], begin: ROUND, end: null, source: 'sample' });
listings.push({ region: '130000', items: [code('Hcy')], begin: HEBEI_HCY, end: null, source: 'sample: Hebei lists Hcy later' });
listings.push({ region: '110000', items: BEIJING_ONLY_LAB.map(([abbr]) => code(abbr)), begin: ROUND, end: null,
  source: 'sample: Beijing recognises more items than the joint list' });

// ---- qualifications: institutions that passed quality control, by level.
const institutions = JSON.parse(readFileSync(join(dataDir, 'institutions.json'), 'utf8'));
const rng = makeRng(SEED);
const labCodes = items.filter((it) => it.kind === 'lab').map((it) => it.code);
const basicLab = items.filter((it) => it.category === 'biochemistry' || it.category === 'blood_cell').map((it) => it.code);
const xrayCt = items.filter((it) => it.modality === 'XR' || it.modality === 'CT').map((it) => it.code);
const mri = items.filter((it) => it.modality === 'MR').map((it) => it.code);
const allImaging = items.filter((it) => it.kind === 'imaging').map((it) => it.code);
const month = () => `2023-${String(rng.int(1, 6) * 2 - 1).padStart(2, '0')}-01`;  // Jan, Mar, ..., Nov
const qualifications = [];
for (const inst of institutions) {
  const c = inst.fixmedins_code;
  if (inst.hosp_lv === 3) {
    qualifications.push({ fixmedins_code: c, items: labCodes, begin: ROUND, end: null });
    qualifications.push({ fixmedins_code: c, items: allImaging, begin: ROUND, end: null });
  } else if (inst.hosp_lv === 2) {
    const from = month();
    qualifications.push({ fixmedins_code: c, items: labCodes, begin: from, end: null });
    qualifications.push({ fixmedins_code: c, items: xrayCt, begin: from, end: null });
    if (rng.chance(0.4)) qualifications.push({ fixmedins_code: c, items: mri, begin: '2024-01-01', end: null });
  } else {
    // Level 1: basic lab items only; Shahe's township hospital fails quality
    // control and loses its qualification (sample).
    const from = month();
    qualifications.push({ fixmedins_code: c, items: basicLab, begin: from, end: c === 'H13058200001' ? SHAHE_LOSES : null });
  }
}

// ---- prices of the items the sample catalogue does not list, per region (sample).
const prices = [];
for (const region of REGIONS) {
  for (const it of items) {
    if (it.catalog_code) continue;
    const fen = Math.round((it.priceYuan * PRICE_FACTOR_PCT[region]) / 100) * 100;
    if (region === '130000' && it.modality === 'MR') {
      prices.push({ region, item: it.code, price_fen: fen, begin: PRICE_BEGIN, end: HEBEI_MRI_CUT });
      prices.push({ region, item: it.code, price_fen: Math.round((fen * 90) / 100), begin: HEBEI_MRI_CUT, end: null });
    } else {
      prices.push({ region, item: it.code, price_fen: fen, begin: PRICE_BEGIN, end: null });
    }
  }
}

const doc = { items: itemVersions, listings, qualifications, prices };
const line = (v) => '    ' + JSON.stringify(v);
const text = '{\n' + Object.entries(doc).map(([k, list]) => `  "${k}": [\n` + list.map(line).join(',\n') + '\n  ]').join(',\n') + '\n}\n';
writeOrCheck('gen_recognition', 'recognition.json', text,
  `${items.length} items, ${listings.length} listings, ${qualifications.length} qualifications, ${prices.length} prices`);
