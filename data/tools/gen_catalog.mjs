// Writes data/catalog.json: a sample catalogue (就医地目录) for each treatment
// region, Beijing 110000, Tianjin 120000 and Hebei 130000.
//
// Every item is a sample. What follows published policy: Hebei's upfront
// self-pay share for class 乙 is 5% (500 bp) province-wide since 2021-03-01,
// 20% (2000 bp) for negotiated tumour drugs. Beijing's and Tianjin's shares
// are samples. The core set of codes is shared by the three regions (so one
// claim can be tried anywhere); the differences listed in data/README.md are
// made on purpose, so that the treatment-place rule shows.
//
// Usage (from data/):  node tools/gen_catalog.mjs [--check]
import { makeRng, pad, writeOrCheck } from './lib.mjs';

const SEED = 20230401;
const BEGIN = '2021-03-01';  // 国家医保药品目录(2020年) in force from this day
const NEXT_EDITION = '2024-01-01';  // the 2023 edition in force from this day
const REGIONS = ['110000', '120000', '130000'];

// ---- drugs: [name, group (5 chars, ATC-like), form letter, class, flags]
// flags: T negotiated tumour drug (payment standard as price cap, Hebei 20%)
const FORM = { A: '片剂', B: '胶囊', C: '注射剂', D: '散/颗粒', E: '口服液', F: '吸入剂', G: '滴眼剂', H: '软膏', I: '丸剂' };
const WESTERN = [
  ['阿莫西林胶囊', 'J01CA', 'B', '甲'], ['阿莫西林克拉维酸钾片', 'J01CR', 'A', '乙'], ['注射用青霉素钠', 'J01CE', 'C', '甲'],
  ['头孢氨苄胶囊', 'J01DB', 'B', '甲'], ['头孢克洛胶囊', 'J01DC', 'B', '乙'], ['头孢呋辛酯片', 'J01DC', 'A', '乙'],
  ['注射用头孢曲松钠', 'J01DD', 'C', '甲'], ['注射用头孢他啶', 'J01DD', 'C', '乙'], ['注射用头孢哌酮钠舒巴坦钠', 'J01DD', 'C', '乙'],
  ['注射用美罗培南', 'J01DH', 'C', '乙'], ['阿奇霉素片', 'J01FA', 'A', '甲'], ['克拉霉素片', 'J01FA', 'A', '乙'],
  ['红霉素肠溶片', 'J01FA', 'A', '甲'], ['左氧氟沙星片', 'J01MA', 'A', '甲'], ['左氧氟沙星氯化钠注射液', 'J01MA', 'C', '乙'],
  ['盐酸莫西沙星片', 'J01MA', 'A', '乙'], ['盐酸环丙沙星片', 'J01MA', 'A', '甲'], ['注射用盐酸万古霉素', 'J01XA', 'C', '乙'],
  ['甲硝唑片', 'J01XD', 'A', '甲'], ['磷霉素氨丁三醇散', 'J01XX', 'D', '乙'], ['盐酸多西环素片', 'J01AA', 'A', '甲'],
  ['复方磺胺甲噁唑片', 'J01EE', 'A', '甲'], ['磷酸奥司他韦胶囊', 'J05AH', 'B', '乙'], ['阿昔洛韦片', 'J05AB', 'A', '甲'],
  ['恩替卡韦片', 'J05AF', 'A', '甲'], ['富马酸替诺福韦二吡呋酯片', 'J05AF', 'A', '乙'], ['氟康唑胶囊', 'J02AC', 'B', '甲'],
  ['伏立康唑片', 'J02AC', 'A', '乙'],
  ['硝苯地平控释片', 'C08CA', 'A', '乙'], ['苯磺酸氨氯地平片', 'C08CA', 'A', '甲'], ['非洛地平缓释片', 'C08CA', 'A', '乙'],
  ['缬沙坦胶囊', 'C09CA', 'B', '乙'], ['厄贝沙坦片', 'C09CA', 'A', '乙'], ['氯沙坦钾片', 'C09CA', 'A', '乙'],
  ['马来酸依那普利片', 'C09AA', 'A', '甲'], ['盐酸贝那普利片', 'C09AA', 'A', '乙'], ['厄贝沙坦氢氯噻嗪片', 'C09DA', 'A', '乙'],
  ['酒石酸美托洛尔片', 'C07AB', 'A', '甲'], ['琥珀酸美托洛尔缓释片', 'C07AB', 'A', '乙'], ['富马酸比索洛尔片', 'C07AB', 'A', '乙'],
  ['阿托伐他汀钙片', 'C10AA', 'A', '乙'], ['瑞舒伐他汀钙片', 'C10AA', 'A', '乙'], ['辛伐他汀片', 'C10AA', 'A', '甲'],
  ['非诺贝特胶囊', 'C10AB', 'B', '乙'], ['依折麦布片', 'C10AX', 'A', '乙'], ['硝酸甘油片', 'C01DA', 'A', '甲'],
  ['单硝酸异山梨酯缓释片', 'C01DA', 'A', '乙'], ['地高辛片', 'C01AA', 'A', '甲'], ['盐酸胺碘酮片', 'C01BD', 'A', '甲'],
  ['呋塞米片', 'C03CA', 'A', '甲'], ['氢氯噻嗪片', 'C03AA', 'A', '甲'], ['螺内酯片', 'C03DA', 'A', '甲'],
  ['盐酸曲美他嗪片', 'C01EB', 'A', '乙'], ['沙库巴曲缬沙坦钠片', 'C09DX', 'A', '乙'],
  ['阿司匹林肠溶片', 'B01AC', 'A', '甲'], ['硫酸氢氯吡格雷片', 'B01AC', 'A', '乙'], ['替格瑞洛片', 'B01AC', 'A', '乙'],
  ['华法林钠片', 'B01AA', 'A', '甲'], ['利伐沙班片', 'B01AF', 'A', '乙'], ['依诺肝素钠注射液', 'B01AB', 'C', '乙'],
  ['硫酸亚铁片', 'B03AA', 'A', '甲'], ['叶酸片', 'B03BB', 'A', '甲'], ['甲钴胺片', 'B03BA', 'A', '乙'],
  ['人血白蛋白', 'B05AA', 'C', '乙'], ['氯化钠注射液', 'B05XA', 'C', '甲'], ['葡萄糖注射液', 'B05BA', 'C', '甲'],
  ['葡萄糖氯化钠注射液', 'B05BB', 'C', '甲'], ['复方氯化钠注射液', 'B05BB', 'C', '甲'], ['氯化钾注射液', 'B05XA', 'C', '甲'],
  ['碳酸氢钠注射液', 'B05XA', 'C', '甲'], ['乳酸钠林格注射液', 'B05BB', 'C', '甲'],
  ['盐酸二甲双胍片', 'A10BA', 'A', '甲'], ['盐酸二甲双胍缓释片', 'A10BA', 'A', '乙'], ['格列美脲片', 'A10BB', 'A', '乙'],
  ['格列齐德缓释片', 'A10BB', 'A', '乙'], ['阿卡波糖片', 'A10BF', 'A', '乙'], ['磷酸西格列汀片', 'A10BH', 'A', '乙'],
  ['达格列净片', 'A10BK', 'A', '乙'], ['盐酸吡格列酮片', 'A10BG', 'A', '乙'], ['甘精胰岛素注射液', 'A10AE', 'C', '乙'],
  ['门冬胰岛素注射液', 'A10AB', 'C', '乙'],
  ['奥美拉唑肠溶胶囊', 'A02BC', 'B', '甲'], ['泮托拉唑钠肠溶片', 'A02BC', 'A', '乙'], ['雷贝拉唑钠肠溶片', 'A02BC', 'A', '乙'],
  ['艾司奥美拉唑镁肠溶片', 'A02BC', 'A', '乙'], ['注射用奥美拉唑钠', 'A02BC', 'C', '乙'], ['铝碳酸镁咀嚼片', 'A02AD', 'A', '乙'],
  ['蒙脱石散', 'A07BC', 'D', '甲'], ['多潘立酮片', 'A03FA', 'A', '甲'], ['枸橼酸莫沙必利片', 'A03FA', 'A', '乙'],
  ['乳果糖口服溶液', 'A06AD', 'E', '乙'], ['双歧杆菌三联活菌胶囊', 'A07FA', 'B', '乙'], ['口服补液盐散', 'A07CA', 'D', '甲'],
  ['盐酸氨溴索片', 'R05CB', 'A', '甲'], ['乙酰半胱氨酸泡腾片', 'R05CB', 'A', '乙'], ['布地奈德吸入气雾剂', 'R03BA', 'F', '乙'],
  ['硫酸沙丁胺醇吸入气雾剂', 'R03AC', 'F', '甲'], ['孟鲁司特钠片', 'R03DC', 'A', '乙'], ['噻托溴铵粉吸入剂', 'R03BB', 'F', '乙'],
  ['茶碱缓释片', 'R03DA', 'A', '甲'], ['氯雷他定片', 'R06AX', 'A', '甲'], ['盐酸西替利嗪片', 'R06AE', 'A', '乙'],
  ['氢溴酸右美沙芬片', 'R05DA', 'A', '乙'],
  ['布洛芬缓释胶囊', 'M01AE', 'B', '甲'], ['双氯芬酸钠缓释片', 'M01AB', 'A', '甲'], ['塞来昔布胶囊', 'M01AH', 'B', '乙'],
  ['对乙酰氨基酚片', 'N02BE', 'A', '甲'], ['盐酸曲马多缓释片', 'N02AX', 'A', '乙'], ['硫酸吗啡缓释片', 'N02AA', 'A', '甲'],
  ['硫酸氨基葡萄糖胶囊', 'M01AX', 'B', '乙'], ['阿仑膦酸钠片', 'M05BA', 'A', '乙'],
  ['阿普唑仑片', 'N05BA', 'A', '甲'], ['艾司唑仑片', 'N05CD', 'A', '甲'], ['盐酸舍曲林片', 'N06AB', 'A', '乙'],
  ['盐酸帕罗西汀片', 'N06AB', 'A', '乙'], ['奥氮平片', 'N05AH', 'A', '乙'], ['利培酮片', 'N05AX', 'A', '甲'],
  ['丙戊酸钠缓释片', 'N03AG', 'A', '乙'], ['卡马西平片', 'N03AF', 'A', '甲'], ['左乙拉西坦片', 'N03AX', 'A', '乙'],
  ['盐酸多奈哌齐片', 'N06DA', 'A', '乙'], ['多巴丝肼片', 'N04BA', 'A', '甲'],
  ['左甲状腺素钠片', 'H03AA', 'A', '甲'], ['甲巯咪唑片', 'H03BB', 'A', '甲'], ['醋酸泼尼松片', 'H02AB', 'A', '甲'],
  ['地塞米松磷酸钠注射液', 'H02AB', 'C', '甲'], ['盐酸坦索罗辛缓释胶囊', 'G04CA', 'B', '乙'], ['非那雄胺片', 'G04CB', 'A', '乙'],
  ['左氧氟沙星滴眼液', 'S01AE', 'G', '乙'], ['玻璃酸钠滴眼液', 'S01XA', 'G', '乙'], ['莫匹罗星软膏', 'D06AX', 'H', '乙'],
  ['糠酸莫米松乳膏', 'D07AC', 'H', '乙'], ['骨化三醇软胶囊', 'A11CC', 'B', '乙'], ['维生素D2软胶囊', 'A11CC', 'B', '甲'],
  ['维生素B1片', 'A11DA', 'A', '甲'], ['多种维生素矿物质片', 'A11AA', 'A', '丙'], ['碳酸钙D3片', 'A12AX', 'A', '丙'],
  ['吉非替尼片', 'L01EB', 'A', '乙', 'T'], ['甲磺酸奥希替尼片', 'L01EB', 'A', '乙', 'T'], ['盐酸埃克替尼片', 'L01EB', 'A', '乙', 'T'],
  ['盐酸安罗替尼胶囊', 'L01EX', 'B', '乙', 'T'], ['甲磺酸阿帕替尼片', 'L01EX', 'A', '乙', 'T'], ['甲磺酸伊马替尼片', 'L01EA', 'A', '乙'],
  ['来曲唑片', 'L02BG', 'A', '甲'], ['枸橼酸他莫昔芬片', 'L02BA', 'A', '甲'], ['卡培他滨片', 'L01BC', 'A', '乙'],
  ['替吉奥胶囊', 'L01BC', 'B', '乙'], ['紫杉醇注射液', 'L01CD', 'C', '甲'], ['顺铂注射液', 'L01XA', 'C', '甲'],
  ['奥沙利铂注射液', 'L01XA', 'C', '乙'], ['注射用培美曲塞二钠', 'L01BA', 'C', '乙'], ['贝伐珠单抗注射液', 'L01FG', 'C', '乙', 'T'],
  ['注射用曲妥珠单抗', 'L01FD', 'C', '乙', 'T'], ['信迪利单抗注射液', 'L01FF', 'C', '乙', 'T'], ['注射用卡瑞利珠单抗', 'L01FF', 'C', '乙', 'T'],
  ['替雷利珠单抗注射液', 'L01FF', 'C', '乙', 'T'],
];
// Chinese patent medicines: same 23-character shape, first letter Z.
const PATENT = [
  ['连花清瘟胶囊', 'A01AB', 'B', '甲'], ['复方丹参滴丸', 'A12AA', 'I', '甲'], ['银翘解毒片', 'A01AA', 'A', '甲'],
  ['藿香正气水', 'A04BA', 'E', '甲'], ['板蓝根颗粒', 'A01BA', 'D', '甲'], ['六味地黄丸', 'A17BA', 'I', '甲'],
  ['血塞通软胶囊', 'A12BA', 'B', '乙'], ['通心络胶囊', 'A12BB', 'B', '乙'], ['蒲地蓝消炎口服液', 'A01BB', 'E', '乙'],
  ['感冒清热颗粒', 'A01AC', 'D', '甲'], ['清开灵注射液', 'A06BA', 'C', '乙'], ['速效救心丸', 'A12AB', 'I', '甲'],
  ['小柴胡颗粒', 'A03AA', 'D', '甲'], ['逍遥丸', 'A09AA', 'I', '甲'], ['牛黄解毒片', 'A05AA', 'A', '甲'],
  ['麝香保心丸', 'A12AC', 'I', '乙'], ['丹红注射液', 'A12BC', 'C', '乙'], ['阿胶补血口服液', 'A17AA', 'E', '丙'],
];
// Payment standards of the negotiated tumour drugs (fen per unit, sample).
const TUMOUR_CAP_FEN = [5480, 15720, 10250, 48700, 9800, 160000, 149000, 107500, 128800];

// ---- services: [name, 9-digit price-item code, class, Hebei price cap in yuan (null: none)]
// National code = "00" + the 9-digit code + "0000" (e.g. 001102000010000).
const SERVICES = [
  ['普通门诊诊查费', '110200001', '甲', 10], ['副主任医师门诊诊查费', '110200002', '甲', 20],
  ['主任医师门诊诊查费', '110200003', '甲', 30], ['急诊诊查费', '110200005', '甲', 15],
  ['普通病房床位费(三人间)', '110900001', '甲', 40], ['普通病房床位费(双人间)', '110900002', '乙', 60],
  ['重症监护病房床位费', '110900004', '甲', 150], ['住院诊查费', '111000001', '甲', 15],
  ['特级护理', '120100001', '甲', 150], ['一级护理', '120100002', '甲', 45], ['二级护理', '120100003', '甲', 25],
  ['三级护理', '120100004', '甲', 15], ['肌肉注射', '120400001', '甲', 3], ['静脉注射', '120400002', '甲', 5],
  ['静脉输液', '120400006', '甲', 10], ['换药(小)', '120600001', '甲', 20], ['换药(中)', '120600002', '甲', 35],
  ['吸氧(每小时)', '120800001', '甲', 3], ['雾化吸入', '121000001', '甲', 10], ['导尿', '121200001', '甲', 30],
  ['鼻饲管置管', '121400001', '甲', 25],
  ['胸部X线摄影', '210102001', '甲', 60], ['头颅CT平扫', '210300001', '乙', 200], ['胸部CT平扫', '210300002', '乙', 220],
  ['腹部CT平扫', '210300003', '乙', 240], ['头颅磁共振平扫', '210400001', '乙', 500], ['腰椎磁共振平扫', '210400002', '乙', 520],
  ['腹部彩色多普勒超声', '220201001', '甲', 120], ['甲状腺彩色多普勒超声', '220201005', '甲', 80],
  ['心脏彩色多普勒超声', '220600001', '乙', 200], ['常规心电图检查(十二导联)', '310701001', '甲', 25],
  ['动态心电图', '310701008', '乙', 180], ['胃镜检查', '310901001', '乙', 200], ['结肠镜检查', '310902001', '乙', 260],
  ['血细胞分析(五分类)', '250101015', '甲', 20], ['尿常规', '250102001', '甲', 10], ['粪便常规', '250103001', '甲', 6],
  ['丙氨酸氨基转移酶测定', '250305004', '甲', 5], ['天门冬氨酸氨基转移酶测定', '250305005', '甲', 5],
  ['肌酐测定', '250307005', '甲', 6], ['尿素测定', '250307001', '甲', 5], ['尿酸测定', '250307011', '甲', 5],
  ['葡萄糖测定', '250302001', '甲', 5], ['糖化血红蛋白测定', '250302005', '乙', 60], ['总胆固醇测定', '250303001', '甲', 5],
  ['甘油三酯测定', '250303002', '甲', 6], ['钾测定', '250304001', '甲', 5], ['乙型肝炎表面抗原测定', '250403001', '甲', 20],
  ['凝血酶原时间测定', '250203020', '甲', 10], ['D-二聚体测定', '250203066', '乙', 50], ['C反应蛋白测定', '250402011', '甲', 20],
  ['心肌肌钙蛋白I测定', '250306010', '乙', 60], ['B型钠尿肽测定', '250306011', '乙', 150],
  ['剖宫产术', '331201001', '甲', 1200], ['阑尾切除术', '331003004', '甲', 800], ['腹腔镜胆囊切除术', '331005006', '乙', 2000],
  ['经皮冠状动脉支架置入术', '330803014', '甲', 4000], ['白内障超声乳化摘除术', '330604011', '乙', 1200],
  ['人工髋关节置换术', '331501001', '甲', 4500], ['血液透析', '311000006', '甲', 400], ['普通针刺', '430000003', '乙', 20],
  ['推拿治疗', '440000001', '乙', 40], ['运动疗法', '340200001', '乙', 50], ['龈上洁治术', '310512003', '丙', 150],
  ['激光祛斑', '311503009', '丙', 300], ['健康体检(一般项目)', '110300001', '丙', 120],
];
// Price caps scale with local price levels (sample factors).
const SERVICE_PRICE_FACTOR_PCT = { '110000': 130, '120000': 115, '130000': 100 };

// ---- consumables: [name, class, price cap in yuan]
const CONSUMABLES = [
  ['一次性使用输液器', '甲', 3], ['一次性使用无菌注射器', '甲', 1], ['一次性使用静脉留置针', '乙', 20],
  ['中心静脉导管套件', '乙', 300], ['冠状动脉药物洗脱支架', '乙', 800], ['PTCA球囊扩张导管', '乙', 300],
  ['双腔心脏起搏器', '乙', 25000], ['人工髋关节假体(陶瓷-陶瓷)', '乙', 8000], ['人工膝关节假体', '乙', 6000],
  ['人工晶体(非球面)', '乙', 1500], ['一次性使用导尿管', '甲', 10], ['可吸收缝合线', '乙', 80],
  ['腔镜直线切割吻合器', '乙', 1200], ['一次性使用吸氧管', '甲', 3], ['一次性使用胃管', '甲', 10],
  ['胰岛素笔用针头', '丙', 1], ['血液透析器', '乙', 100], ['动静脉内瘘穿刺针', '乙', 20], ['骨科接骨板', '乙', 1500],
  ['骨科螺钉', '乙', 300], ['人工硬脑膜补片', '乙', 2000], ['疝修补片', '乙', 1000], ['医用弹力袜', '丙', 200],
  ['负压引流装置', '乙', 500], ['一次性使用医用防护口罩', '丙', 5],
];

const rng = makeRng(SEED);
const seenCodes = new Set();
function unique(code) {
  if (seenCodes.has(code)) throw new Error(`gen_catalog: duplicate code ${code}`);
  seenCodes.add(code);
  return code;
}

// Drug code: X|Z + group 5 + "A" + generic 3 + form 1 + spec 3 + pack 4 + maker 4 + 1 = 23.
function drugCode(letter, group, index, form) {
  return unique(`${letter}${group}A${pad(index, 3)}${form}${pad(rng.int(1, 9), 3)}${pad(rng.int(101, 120), 4)}${rng.digits(4)}${rng.digits(1)}`);
}
// Consumable code: C + 2+2+2 category + generic 3 + 4 + 4 + maker 5 + spec 4 = 27.
function consumableCode(index) {
  return unique(`C${pad(1 + (index % 14), 2)}${pad(1 + (index % 5), 2)}${pad(1 + (index % 3), 2)}${pad(index + 1, 3)}${rng.digits(4)}${rng.digits(4)}${rng.digits(5)}${rng.digits(4)}`);
}

// The core set: one entry per code, with region-independent attributes.
const core = [];
WESTERN.forEach(([name, group, form, cls, flag], i) => {
  core.push({ code: drugCode('X', group, 10 + i, form), name, kind: 'drug', cls, tumour: flag === 'T' });
});
PATENT.forEach(([name, group, form, cls], i) => {
  core.push({ code: drugCode('Z', group, 300 + i, form), name, kind: 'drug', cls, tumour: false });
});
SERVICES.forEach(([name, code9, cls, capYuan]) => {
  core.push({ code: unique(`00${code9}0000`), name, kind: 'service', cls, capYuan });
});
CONSUMABLES.forEach(([name, cls, capYuan], i) => {
  core.push({ code: consumableCode(i), name, kind: 'consumable', cls, capYuan });
});
let t = 0;
for (const item of core) {
  if (item.tumour) item.capFen = TUMOUR_CAP_FEN[t++];
}
const byName = new Map(core.map((it) => [it.name, it]));
function coreItem(name) {
  const it = byName.get(name);
  if (!it) throw new Error(`gen_catalog: no core item ${name}`);
  return it;
}

// Upfront self-pay share of class 乙 in each region.
function selfpayBp(region, item) {
  if (region === '130000') return item.tumour ? 2000 : 500;  // Hebei, published
  if (region === '110000') return 1000;                      // Beijing, sample
  // Tianjin, sample: high-value consumables carry a larger share.
  if (item.kind === 'consumable') return (item.capYuan ?? 0) >= 1000 ? 3000 : 1000;
  return 1000;
}

function capFen(region, item) {
  const override = CAP_OVERRIDE_YUAN[region]?.[item.name];
  if (override != null) return override * 100;
  if (item.capFen !== undefined) return item.capFen;  // tumour drugs, local items
  if (item.capYuan == null) return null;
  if (item.kind === 'service') return Math.round((item.capYuan * SERVICE_PRICE_FACTOR_PCT[region]) / 100) * 100;
  return item.capYuan * 100;
}

// Region-specific differences (listed in data/README.md).
const CLASS_OVERRIDE = {
  '110000': { '普通针刺': '甲', '医用弹力袜': '丙' },
  '120000': { '硫酸氨基葡萄糖胶囊': '丙', '医用弹力袜': '乙' },
  '130000': { '硫酸氨基葡萄糖胶囊': '丙', '双歧杆菌三联活菌胶囊': '甲' },
};
const CAP_OVERRIDE_YUAN = {
  '110000': { '人工晶体(非球面)': 1800 },
  '120000': { '人工晶体(非球面)': 1600 },
};
const RATIO_OVERRIDE_BP = {
  '120000': { '普通针刺': 500, '运动疗法': 500 },
};
// Codes listed by one region only.
const LOCAL = {
  '110000': [
    { code: 'Z' + 'A13AA' + 'A401' + 'I' + '001' + '0101' + '1101' + '3', name: '安宫牛黄丸', kind: 'drug', cls: '乙' },
    { code: '00110200006000011X01', name: '互联网复诊诊查费', kind: 'service', cls: '甲', capFen: 1500 },
    { code: '00110800001000011X02', name: '家庭病床建床费', kind: 'service', cls: '乙', capFen: 3000 },
  ],
  '120000': [
    { code: '00110200009000012X01', name: '中药配方颗粒调配费', kind: 'service', cls: '乙', capFen: 500 },
    { code: '00440000011000012X02', name: '中医定向透药治疗', kind: 'service', cls: '乙', capFen: 4000 },
    { code: '00111000002000012X03', name: '门诊特殊病种管理费', kind: 'service', cls: '甲', capFen: 2000 },
  ],
  '130000': [
    { code: '00110200008000013X01', name: '村卫生室一般诊疗费', kind: 'service', cls: '甲', capFen: 1000 },
    { code: '00480000001000013X02', name: '中药饮片代煎费', kind: 'service', cls: '丙', capFen: 300 },
    { code: 'Z' + 'A12BD' + 'A402' + 'B' + '001' + '0102' + '1301' + '7', name: '参松养心胶囊', kind: 'drug', cls: '乙' },
  ],
};
for (const list of Object.values(LOCAL)) for (const it of list) unique(it.code);

function version(region, item, cls, begin, end) {
  const cap = capFen(region, item);
  let bp = 0;
  if (cls === '乙') bp = RATIO_OVERRIDE_BP[region]?.[item.name] ?? selfpayBp(region, item);
  return { code: item.code, name: item.name, kind: item.kind, class: cls, price_cap_fen: cap, selfpay_prop_bp: bp, begin, end };
}

// Items whose listing changes on a date, the same in every region.
//  - 利拉鲁肽注射液: 丙 until the 2023 edition, 乙 from 2024-01-01.
//  - 维生素E软胶囊: listed (乙) until 2024-01-01, then dropped.
//  - 司美格鲁肽注射液: newly listed (乙) from 2024-01-01.
const liraglutide = { code: drugCode('X', 'A10BJ', 200, 'C'), name: '利拉鲁肽注射液', kind: 'drug' };
const vitaminE = { code: drugCode('X', 'A11HA', 201, 'B'), name: '维生素E软胶囊', kind: 'drug' };
const semaglutide = { code: drugCode('X', 'A10BJ', 202, 'C'), name: '司美格鲁肽注射液', kind: 'drug' };

const doc = {};
for (const region of REGIONS) {
  const items = [];
  for (const item of core) {
    const cls = CLASS_OVERRIDE[region]?.[item.name] ?? item.cls;
    items.push(version(region, item, cls, BEGIN, null));
  }
  for (const item of LOCAL[region]) items.push(version(region, item, item.cls, BEGIN, null));
  items.push(version(region, liraglutide, '丙', BEGIN, NEXT_EDITION));
  items.push(version(region, liraglutide, '乙', NEXT_EDITION, null));
  items.push(version(region, vitaminE, '乙', BEGIN, NEXT_EDITION));
  items.push(version(region, semaglutide, '乙', NEXT_EDITION, null));
  items.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.begin < b.begin ? -1 : a.begin > b.begin ? 1 : 0));
  doc[region] = items;
}
// Sanity: every code has the shape the loader demands.
for (const region of REGIONS) {
  for (const it of doc[region]) {
    const ok = it.kind === 'drug' ? /^[XZ][0-9A-Z]{22}$/.test(it.code)
      : it.kind === 'consumable' ? /^C[0-9A-Z]{26}$/.test(it.code) : /^[0-9A-Z]{1,50}$/.test(it.code);
    if (!ok) throw new Error(`gen_catalog: bad code ${it.code} (${it.name})`);
  }
  // Touch the names of the overrides so a typo fails here, not silently.
  for (const table of [CLASS_OVERRIDE, CAP_OVERRIDE_YUAN, RATIO_OVERRIDE_BP]) {
    for (const name of Object.keys(table[region] ?? {})) coreItem(name);
  }
}

const text = '{\n' + REGIONS.map((r) => `  "${r}": [\n` + doc[r].map((it) => '    ' + JSON.stringify(it)).join(',\n') + '\n  ]').join(',\n') + '\n}\n';
const counts = REGIONS.map((r) => `${r}: ${doc[r].length}`).join(', ');
writeOrCheck('gen_catalog', 'catalog.json', text, `versions per region ${counts}`);
