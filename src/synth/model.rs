//! The generator's model: regions and departments, and one department's budget for one
//! year, with every table's amounts allocated exactly (whole 元) from the top down.

use std::collections::BTreeMap;

use crate::catalog::{Catalog, Classification};

use super::{GenOptions, Rng};

/// About how many facts the lake writer emits per document (used to size a lake).
pub const AVERAGE_FACTS_PER_DOC: usize = 103;

const REGION_FIRST: [&str; 40] = [
    "清", "安", "平", "永", "长", "新", "宁", "丰", "和", "泰", "兴", "富", "顺", "德", "宝", "崇",
    "昌", "华", "嘉", "金", "开", "隆", "龙", "南", "北", "东", "西", "青", "瑞", "三", "石", "通",
    "文", "武", "仙", "阳", "云", "正", "中", "灵",
];
const REGION_SECOND: [&str; 40] = [
    "河", "山", "江", "阳", "源", "川", "林", "城", "州", "宁", "安", "平", "丰", "溪", "水", "乐",
    "陵", "化", "远", "定", "海", "台", "田", "泉", "峰", "岭", "谷", "湖", "池", "桥", "原", "都",
    "坪", "庆", "康", "寿", "明", "昌", "兴", "德",
];
const REGION_SUFFIX: [&str; 3] = ["县", "市", "区"];

/// A department type: name, 单位代码 prefix, its own 类, and how big it tends to be.
struct DeptType {
    name: &'static str,
    short: &'static str,
    code: &'static str,
    class: &'static str,
    weight: f64,
}

const DEPARTMENTS: [DeptType; 20] = [
    DeptType {
        name: "教育局",
        short: "教育局",
        code: "101",
        class: "205",
        weight: 6.0,
    },
    DeptType {
        name: "人力资源和社会保障局",
        short: "人社局",
        code: "203",
        class: "208",
        weight: 2.5,
    },
    DeptType {
        name: "社会保险事业管理局",
        short: "社保局",
        code: "204",
        class: "208",
        weight: 2.0,
    },
    DeptType {
        name: "民政局",
        short: "民政局",
        code: "205",
        class: "208",
        weight: 2.0,
    },
    DeptType {
        name: "退役军人事务局",
        short: "退役军人局",
        code: "206",
        class: "208",
        weight: 1.0,
    },
    DeptType {
        name: "卫生健康局",
        short: "卫健局",
        code: "301",
        class: "210",
        weight: 4.0,
    },
    DeptType {
        name: "医疗保障局",
        short: "医保局",
        code: "302",
        class: "210",
        weight: 1.5,
    },
    DeptType {
        name: "疾病预防控制中心",
        short: "疾控中心",
        code: "303",
        class: "210",
        weight: 1.0,
    },
    DeptType {
        name: "住房和城乡建设局",
        short: "住建局",
        code: "401",
        class: "212",
        weight: 2.5,
    },
    DeptType {
        name: "城市管理综合执法局",
        short: "城管局",
        code: "402",
        class: "212",
        weight: 1.5,
    },
    DeptType {
        name: "财政局",
        short: "财政局",
        code: "501",
        class: "201",
        weight: 1.2,
    },
    DeptType {
        name: "统计局",
        short: "统计局",
        code: "502",
        class: "201",
        weight: 0.4,
    },
    DeptType {
        name: "审计局",
        short: "审计局",
        code: "503",
        class: "201",
        weight: 0.4,
    },
    DeptType {
        name: "发展和改革局",
        short: "发改局",
        code: "504",
        class: "201",
        weight: 0.6,
    },
    DeptType {
        name: "司法局",
        short: "司法局",
        code: "601",
        class: "204",
        weight: 0.8,
    },
    DeptType {
        name: "科学技术局",
        short: "科技局",
        code: "701",
        class: "206",
        weight: 0.6,
    },
    DeptType {
        name: "科学技术协会",
        short: "科协",
        code: "702",
        class: "206",
        weight: 0.2,
    },
    DeptType {
        name: "文化广播电视和旅游局",
        short: "文旅局",
        code: "801",
        class: "207",
        weight: 0.8,
    },
    DeptType {
        name: "体育运动中心",
        short: "体育中心",
        code: "802",
        class: "207",
        weight: 0.3,
    },
    DeptType {
        name: "住房公积金管理中心",
        short: "公积金中心",
        code: "901",
        class: "221",
        weight: 0.3,
    },
];

/// Number of department types per region.
pub const DEPARTMENTS_PER_REGION: usize = DEPARTMENTS.len();

/// (code, share of personnel costs) of the 人员经费 lines, 301 and 303.
const PERSONNEL: [(&str, f64); 10] = [
    ("30101", 0.28),
    ("30102", 0.22),
    ("30103", 0.05),
    ("30107", 0.10),
    ("30108", 0.08),
    ("30109", 0.03),
    ("30110", 0.04),
    ("30112", 0.01),
    ("30113", 0.07),
    ("30302", 0.12),
];

/// (code, share of public-use costs) of the 公用经费 lines, 302 and 310.
const PUBLIC_USE: [(&str, f64); 13] = [
    ("30201", 0.25),
    ("30202", 0.05),
    ("30205", 0.02),
    ("30206", 0.06),
    ("30207", 0.05),
    ("30211", 0.10),
    ("30213", 0.06),
    ("30215", 0.02),
    ("30216", 0.03),
    ("30226", 0.08),
    ("30228", 0.07),
    ("30299", 0.14),
    ("31002", 0.07),
];

const PROJECT_NAMES: [&str; 12] = [
    "业务工作经费",
    "信息化建设",
    "专项业务经费",
    "宣传培训经费",
    "设备购置",
    "运行维护",
    "课题研究",
    "监督检查",
    "应急保障",
    "档案管理",
    "基础设施维护",
    "民生实事项目",
];

/// One department (a budget unit) of one region.
#[derive(Debug, Clone)]
pub struct Org {
    pub index: usize,
    pub region: String,
    pub name: String,
    /// The short name printed in table headers (单位名称：…).
    pub short: String,
    pub code: String,
    /// The department's own 类.
    pub class: &'static str,
    /// Base-year basic expenditure, 元.
    pub base: f64,
    /// 项 codes under its own 类 it may use.
    pub own_leaves: Vec<String>,
    pub has_car: bool,
}

/// The departments of a generation, in index order.
pub fn orgs(options: &GenOptions) -> Vec<Org> {
    let func = Catalog::shipped(Classification::Function);
    let mut leaves_by_class: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in func.all() {
        if e.level == 3 && e.code.len() == 7 {
            leaves_by_class
                .entry(e.code[..3].to_string())
                .or_default()
                .push(e.code.clone());
        }
    }
    for v in leaves_by_class.values_mut() {
        v.sort();
        v.dedup();
    }
    (0..options.departments)
        .map(|i| {
            let region_no = i / DEPARTMENTS.len();
            let dept = &DEPARTMENTS[i % DEPARTMENTS.len()];
            let region = region_name(region_no);
            let mut rng = Rng::derive(options.seed, &[1, i as u64]);
            // Log-normal sizes: a few big departments carry most of the money.
            let base = 2.0e6 * dept.weight * (0.9 * rng.normal()).exp();
            let mut own: Vec<String> = leaves_by_class.get(dept.class).cloned().unwrap_or_default();
            // Shared codes stay with every department; keep a few of the others.
            own.retain(|c| !SHARED_LEAVES.contains(&c.as_str()));
            let keep = 2 + rng.below(4);
            let mut chosen = Vec::new();
            while !own.is_empty() && chosen.len() < keep {
                let k = rng.below(own.len());
                chosen.push(own.swap_remove(k));
            }
            if chosen.is_empty() {
                chosen.push("2010602".to_string());
            }
            chosen.sort();
            Org {
                index: i,
                name: format!("{region}{}", dept.name),
                short: format!(
                    "{}{}",
                    region.trim_end_matches(['县', '市', '区']),
                    dept.short
                ),
                code: format!("{}{:03}", dept.code, region_no % 1000),
                region,
                class: dept.class,
                base,
                own_leaves: chosen,
                has_car: rng.chance(0.6),
            }
        })
        .collect()
}

/// The 项 every unit budgets: pensions contributions, medical insurance, housing fund.
const SHARED_LEAVES: [&str; 4] = ["2080505", "2101101", "2101102", "2210201"];

fn region_name(n: usize) -> String {
    let a = REGION_FIRST[n % REGION_FIRST.len()];
    let b = REGION_SECOND[(n / REGION_FIRST.len()) % REGION_SECOND.len()];
    let s = REGION_SUFFIX[(n / (REGION_FIRST.len() * REGION_SECOND.len())) % REGION_SUFFIX.len()];
    let round = n / (REGION_FIRST.len() * REGION_SECOND.len() * REGION_SUFFIX.len());
    if round == 0 {
        format!("{a}{b}{s}")
    } else {
        format!("{a}{b}{}{s}", ["", "新", "东", "西", "南", "北"][round % 6])
    }
}

/// A defect injected into a document, as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// The 合计 row of the 部门支出总表 is off by this many 元.
    SubtotalOff(i64),
    /// The 三公 table's 公务接待费 disagrees with 经济分类 30217 by this many 元.
    ThreePublicOff(i64),
    /// The 公务接待费 in the 万元 三公 table is printed in 元.
    UnitMixup,
}

/// One 项 line of the function classification.
#[derive(Debug, Clone)]
pub struct FuncLine {
    pub code: String,
    pub basic: i64,
    pub project: i64,
}

/// One 款 line of the basic expenditure by 经济分类.
#[derive(Debug, Clone)]
pub struct EconLine {
    pub code: String,
    pub personnel: i64,
    pub public_use: i64,
}

/// One 类 of the basic expenditure by 经济分类: its 款 lines and their sums.
#[derive(Debug, Clone, Copy)]
pub struct EconClass<'d> {
    pub code: &'d str,
    pub lines: &'d [EconLine],
    pub personnel: i64,
    pub public_use: i64,
}

/// One project of the 项目支出 table.
#[derive(Debug, Clone)]
pub struct Project {
    pub func_code: String,
    pub name: String,
    pub amount: i64,
}

/// “三公” amounts in 元 (multiples of 100 so that they print exactly in 万元).
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreePublic {
    pub abroad: i64,
    pub reception: i64,
    pub car_buy: i64,
    pub car_run: i64,
}

impl ThreePublic {
    pub fn total(&self) -> i64 {
        self.abroad + self.reception + self.car_buy + self.car_run
    }
}

/// One department's budget document for one year. All amounts in whole 元.
#[derive(Debug, Clone)]
pub struct Doc<'a> {
    pub org: &'a Org,
    pub year: i32,
    pub funcs: Vec<FuncLine>,
    pub econ: Vec<EconLine>,
    pub projects: Vec<Project>,
    pub three: ThreePublic,
    pub prior_three: ThreePublic,
    pub defect: Option<Defect>,
}

impl Doc<'_> {
    pub fn basic(&self) -> i64 {
        self.funcs.iter().map(|f| f.basic).sum()
    }
    pub fn project(&self) -> i64 {
        self.funcs.iter().map(|f| f.project).sum()
    }
    pub fn total(&self) -> i64 {
        self.basic() + self.project()
    }
    pub fn personnel(&self) -> i64 {
        self.econ.iter().map(|e| e.personnel).sum()
    }
    pub fn public_use(&self) -> i64 {
        self.econ.iter().map(|e| e.public_use).sum()
    }
    /// The 经济分类 lines grouped by 类 (consecutive lines sharing their first three digits),
    /// in order.
    pub fn econ_classes(&self) -> Vec<EconClass<'_>> {
        let mut out = Vec::new();
        let mut rest = self.econ.as_slice();
        while let Some(first) = rest.first() {
            let code = &first.code[..3];
            let n = rest.iter().take_while(|x| &x.code[..3] == code).count();
            let (lines, tail) = rest.split_at(n);
            out.push(EconClass {
                code,
                lines,
                personnel: lines.iter().map(|x| x.personnel).sum(),
                public_use: lines.iter().map(|x| x.public_use).sum(),
            });
            rest = tail;
        }
        out
    }
    /// Totals by 类 (3-digit code), sorted.
    pub fn by_class(&self) -> Vec<(String, i64)> {
        let mut m: BTreeMap<String, i64> = BTreeMap::new();
        for f in &self.funcs {
            *m.entry(f.code[..3].to_string()).or_default() += f.basic + f.project;
        }
        m.into_iter().collect()
    }
    /// A stable id for the direct lake path (the text path's id is the hash of the bytes).
    pub fn synthetic_id(&self, seed: u64) -> String {
        crate::ingest::doc_id(
            format!("yusuan-gen:{seed}:{}:{}", self.org.index, self.year).as_bytes(),
        )
    }
}

/// Splits `total` into integer parts proportional to `weights` (largest remainder), so the
/// parts add up exactly.
pub fn allocate(total: i64, weights: &[f64]) -> Vec<i64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let raw: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<i64> = raw.iter().map(|r| r.floor() as i64).collect();
    let mut rest = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = raw[a] - raw[a].floor();
        let fb = raw[b] - raw[b].floor();
        fb.partial_cmp(&fa).unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut i = 0;
    while rest > 0 && !order.is_empty() {
        parts[order[i % order.len()]] += 1;
        rest -= 1;
        i += 1;
    }
    parts
}

fn round_to(v: f64, unit: i64) -> i64 {
    ((v / unit as f64).round() as i64).max(0) * unit
}

/// Growth of a department from its base year to `year`: a seeded random walk.
fn growth(options: &GenOptions, org: &Org, year: i32) -> f64 {
    let mut f = 1.0;
    for y in *options.years.start()..year {
        let mut r = Rng::derive(options.seed, &[2, org.index as u64, y as u64]);
        f *= 1.0 + 0.05 + 0.05 * r.normal();
    }
    f.max(0.2)
}

/// The three-public amounts of a department in a year (before defects).
fn three_public(options: &GenOptions, org: &Org, year: i32) -> ThreePublic {
    let mut r = Rng::derive(options.seed, &[3, org.index as u64, year as u64]);
    let scale = org.base * growth(options, org, year) * 0.004;
    ThreePublic {
        abroad: if r.chance(0.1) {
            round_to(scale * 0.5 * r.unit(), 100)
        } else {
            0
        },
        reception: round_to(scale * (0.3 + r.unit()), 100),
        car_buy: if org.has_car && r.chance(0.08) {
            round_to(150_000.0 + 100_000.0 * r.unit(), 100)
        } else {
            0
        },
        car_run: if org.has_car {
            round_to(scale * (0.5 + r.unit()), 100)
        } else {
            0
        },
    }
}

/// The document of `org` for `year`.
pub fn document<'a>(options: &GenOptions, org: &'a Org, year: i32) -> Doc<'a> {
    let mut r = Rng::derive(options.seed, &[4, org.index as u64, year as u64]);
    let size = org.base * growth(options, org, year);
    let three = three_public(options, org, year);
    let prior_three = if year > *options.years.start() {
        three_public(options, org, year - 1)
    } else {
        let mut t = three;
        t.reception = round_to(t.reception as f64 * 1.05, 100);
        t
    };

    // Basic expenditure by 经济分类: personnel and public-use lines, with the 三公 lines
    // (30212, 30217, 30231, 31013) fixed to the 三公 figures.
    let personnel_total = round_to(size * (0.72 + 0.1 * r.unit()), 1);
    let public_total = round_to(size * (0.18 + 0.08 * r.unit()), 1).max(three.total() + 10_000);
    let pw: Vec<f64> = PERSONNEL
        .iter()
        .map(|(_, w)| w * (0.7 + 0.6 * r.unit()))
        .collect();
    let mut econ: Vec<EconLine> = PERSONNEL
        .iter()
        .zip(allocate(personnel_total, &pw))
        .map(|((c, _), a)| EconLine {
            code: c.to_string(),
            personnel: a,
            public_use: 0,
        })
        .collect();
    let fixed = [
        ("30212", three.abroad),
        ("30217", three.reception),
        ("30231", three.car_run),
        ("31013", three.car_buy),
    ];
    let free_public = public_total - three.total();
    let uw: Vec<f64> = PUBLIC_USE
        .iter()
        .map(|(_, w)| {
            if r.chance(0.85) {
                w * (0.5 + r.unit())
            } else {
                0.0
            }
        })
        .collect();
    for ((c, _), a) in PUBLIC_USE.iter().zip(allocate(free_public, &uw)) {
        econ.push(EconLine {
            code: c.to_string(),
            personnel: 0,
            public_use: a,
        });
    }
    for (c, a) in fixed {
        if a > 0 {
            econ.push(EconLine {
                code: c.to_string(),
                personnel: 0,
                public_use: a,
            });
        }
    }
    econ.retain(|e| e.personnel + e.public_use > 0);
    econ.sort_by(|a, b| a.code.cmp(&b.code));
    let basic: i64 = econ.iter().map(|e| e.personnel + e.public_use).sum();

    // The same basic total by function: shared 项 plus the department's own.
    let mut codes: Vec<String> = SHARED_LEAVES.iter().map(|c| c.to_string()).collect();
    for c in &org.own_leaves {
        // Leaves come and go from year to year.
        if r.chance(0.9) {
            codes.push(c.clone());
        }
    }
    if codes.len() == SHARED_LEAVES.len()
        && let Some(c) = org.own_leaves.first()
    {
        codes.push(c.clone());
    }
    codes.sort();
    codes.dedup();
    let fw: Vec<f64> = codes
        .iter()
        .map(|c| match c.as_str() {
            "2080505" => 0.08,
            "2101101" => 0.03,
            "2101102" => 0.015,
            "2210201" => 0.07,
            _ => 0.8 / org.own_leaves.len().max(1) as f64 * (0.5 + r.unit()),
        })
        .collect();
    let basics = allocate(basic, &fw);
    let mut funcs: Vec<FuncLine> = codes
        .iter()
        .zip(basics)
        .map(|(c, b)| FuncLine {
            code: c.clone(),
            basic: b,
            project: 0,
        })
        .collect();

    // Projects, under the department's own codes.
    let own: Vec<usize> = (0..funcs.len())
        .filter(|&i| !SHARED_LEAVES.contains(&funcs[i].code.as_str()))
        .collect();
    let n_projects = 1 + r.below(4);
    let project_total = round_to(size * (0.05 + 0.5 * r.unit() * r.unit()), 1000).max(1000);
    let amounts = allocate(project_total / 1000, &vec![1.0; n_projects])
        .into_iter()
        .map(|a| a * 1000)
        .collect::<Vec<_>>();
    let mut projects = Vec::new();
    for (k, amount) in amounts.into_iter().enumerate() {
        if amount <= 0 {
            continue;
        }
        let fi = if own.is_empty() {
            0
        } else {
            own[r.below(own.len())]
        };
        funcs[fi].project += amount;
        let base_name = PROJECT_NAMES[(org.index + k + r.below(3)) % PROJECT_NAMES.len()];
        projects.push(Project {
            func_code: funcs[fi].code.clone(),
            name: format!("{year}年{base_name}{}", k + 1),
            amount,
        });
    }
    projects.sort_by(|a, b| a.func_code.cmp(&b.func_code).then(a.name.cmp(&b.name)));
    funcs.retain(|f| f.basic + f.project > 0);

    let defect = if r.chance(options.defect_rate) {
        Some(match r.below(3) {
            0 => Defect::SubtotalOff(100 * (1 + r.below(99)) as i64),
            1 => Defect::ThreePublicOff(100 * (1 + r.below(50)) as i64),
            _ => Defect::UnitMixup,
        })
    } else {
        None
    };
    Doc {
        org,
        year,
        funcs,
        econ,
        projects,
        three,
        prior_three,
        defect,
    }
}

/// The name of a code in a year, from the shipped catalogs.
pub fn name_of(class: Classification, code: &str, year: i32) -> String {
    Catalog::shipped(class)
        .name(code, Some(year))
        .map(str::to_string)
        .unwrap_or_else(|| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_exact() {
        let parts = allocate(1_000_003, &[0.3, 0.3, 0.4]);
        assert_eq!(parts.iter().sum::<i64>(), 1_000_003);
        assert_eq!(allocate(10, &[]), Vec::<i64>::new());
    }

    #[test]
    fn documents_are_consistent() {
        let options = GenOptions {
            departments: 40,
            ..GenOptions::default()
        };
        for org in orgs(&options) {
            for year in options.years.clone() {
                let d = document(&options, &org, year);
                assert_eq!(
                    d.basic(),
                    d.personnel() + d.public_use(),
                    "{} {year}",
                    org.name
                );
                assert_eq!(
                    d.project(),
                    d.projects.iter().map(|p| p.amount).sum::<i64>()
                );
                let reception: i64 = d
                    .econ
                    .iter()
                    .filter(|e| e.code == "30217")
                    .map(|e| e.public_use)
                    .sum();
                assert_eq!(reception, d.three.reception);
                assert!(d.funcs.iter().all(|f| f.code.len() == 7));
            }
        }
    }
}
