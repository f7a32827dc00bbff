//! Acceptance tests on the development documents of `data/corpus/` (layout text of real
//! Shanghai and Shenzhen disclosures): figures worked out by hand from the printed tables.

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;
use crate::model::Phase;

const WANLI: &str = include_str!("../../data/corpus/sh-putuo-wanli-jiedao-2023-yusuan.txt");
const SGB: &str = include_str!("../../data/corpus/sh-putuo-shehuigongzuobu-2024-juesuan.txt");
const SZ_TONGJI: &str = include_str!("../../data/corpus/sz-tongjiju-2026-yusuan.txt");
const TEMPLATE: &str = include_str!("../../data/corpus/TEMPLATE-sh-bumen-juesuan-2024.txt");

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn wanli() -> ParsedDocument {
    parse(Path::new("wanli.txt"), WANLI).expect("wanli parses")
}

fn sgb() -> ParsedDocument {
    parse(Path::new("sgb.txt"), SGB).expect("sgb parses")
}

fn of<'a>(doc: &'a ParsedDocument, st: &'a str) -> impl Iterator<Item = &'a Fact> + 'a {
    doc.facts.iter().filter(move |f| f.statement == st)
}

/// The amount of the one fact matching.
fn one(doc: &ParsedDocument, pred: impl Fn(&Fact) -> bool) -> Decimal {
    let hits: Vec<&Fact> = doc.facts.iter().filter(|f| pred(f)).collect();
    assert_eq!(hits.len(), 1, "{:#?}", hits);
    hits[0].amount
}

fn ids(doc: &ParsedDocument) -> Vec<&str> {
    doc.tables.iter().map(|t| t.statement.as_str()).collect()
}

/// Every function table: the 项 leaves add up to the printed 合计, per measure.
fn leaf_sums_match(doc: &ParsedDocument, tolerance: Decimal) {
    for st in ["income_by_func", "expenditure_by_func", "gpb_by_func"] {
        let facts: Vec<&Fact> = of(doc, st).collect();
        let measures: Vec<(String, Option<String>)> = facts
            .iter()
            .map(|f| (f.measure.clone(), f.fund.clone()))
            .collect();
        for (m, fund) in measures {
            let total: Vec<Decimal> = facts
                .iter()
                .filter(|f| f.measure == m && f.fund == fund && f.item == "合计")
                .map(|f| f.amount)
                .collect();
            let leaves: Decimal = facts
                .iter()
                .filter(|f| f.measure == m && f.fund == fund && !f.is_total)
                .inspect(|f| assert_eq!(f.func_code.as_ref().map(String::len), Some(7), "{f:?}"))
                .map(|f| f.amount)
                .sum();
            assert_eq!(total.len(), 1, "{st} {m}");
            assert!(
                (total[0] - leaves).abs() <= tolerance,
                "{st} {m}: {} vs {leaves}",
                total[0]
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// 上海市普陀区人民政府万里街道办事处 2023 部门预算 (amounts in 元, 三公 in 万元).

#[test]
fn wanli_meta_and_tables() {
    let doc = wanli();
    let m = &doc.meta;
    assert_eq!(m.fiscal_year, 2023);
    assert_eq!(m.phase, Phase::Budget);
    assert_eq!(m.org_name, "上海市普陀区人民政府万里街道办事处");
    assert_eq!(m.region, "上海市普陀区");
    let place = m.place.as_ref().expect("普陀区 of 上海市");
    assert_eq!(
        (
            place.province.as_str(),
            place.county.as_deref(),
            place.admin_code.as_str()
        ),
        ("上海市", Some("普陀区"), "310107")
    );
    // 部门机构设置 lists the 本部 and 5 units.
    assert_eq!(m.units.len(), 6);
    assert_eq!(m.units[0], "上海市普陀区人民政府万里街道办事处（本部）");
    assert_eq!(m.units[5], "上海市普陀区万里街道综合行政执法队");
    assert_eq!(
        ids(&doc),
        vec![
            "summary",
            "income_by_func",
            "expenditure_by_func",
            "grant_summary",
            "gpb_by_func",
            "gov_fund_by_func",
            "soe_capital_by_func",
            "gpb_basic_by_econ",
            "three_public",
            "performance",
            "performance",
            "performance",
            "performance",
            "performance",
        ]
    );
    // The empty 政府性基金 / 国有资本经营 tables are recognised, with no facts.
    assert_eq!(doc.tables[5].facts, 0);
    assert_eq!(doc.tables[6].facts, 0);
}

#[test]
fn wanli_summary_totals() {
    let doc = wanli();
    // 部门财务收支预算总表, line 220: 收入总计 164,978,640 / 支出总计 164,978,640.
    let income = one(&doc, |f| f.statement == "summary" && f.item == "收入总计");
    let spend = one(&doc, |f| f.statement == "summary" && f.item == "支出总计");
    assert_eq!(income, d("164978640"));
    assert_eq!(spend, d("164978640"));
    // 一、财政拨款收入 164,978,640 (line 201).
    assert_eq!(
        one(&doc, |f| f.statement == "summary"
            && f.item == "财政拨款收入"),
        d("164978640")
    );
    // The grant summary's wrapped row "四、文化旅游体育与传媒" / "支出" (lines 511-513).
    assert_eq!(
        one(&doc, |f| f.statement == "grant_summary"
            && f.item == "文化旅游体育与传媒支出"
            && f.measure == "total"),
        d("200000")
    );
}

#[test]
fn wanli_expenditure_classes() {
    let doc = wanli();
    // 部门支出预算总表, 类 rows (合计 column), read off lines 369-486:
    // 201 2,976,800 + 204 1,252,300 + 206 100,000 + 207 200,000 + 208 27,073,236
    // + 210 3,095,732 + 212 121,319,878 + 221 8,960,694 = 164,978,640 (合计, line 498).
    let classes = [
        ("201", "2976800"),
        ("204", "1252300"),
        ("206", "100000"),
        ("207", "200000"),
        ("208", "27073236"),
        ("210", "3095732"),
        ("212", "121319878"),
        ("221", "8960694"),
    ];
    let mut sum = Decimal::ZERO;
    for (code, amount) in classes {
        let a = one(&doc, |f| {
            f.statement == "expenditure_by_func"
                && f.func_code.as_deref() == Some(code)
                && f.measure == "total"
        });
        assert_eq!(a, d(amount), "{code}");
        sum += a;
    }
    assert_eq!(sum, d("164978640"));
    // 基本支出 99,406,297 + 项目支出 65,572,343 = 164,978,640 (line 498).
    let basic = one(&doc, |f| {
        f.statement == "expenditure_by_func" && f.item == "合计" && f.measure == "basic"
    });
    let project = one(&doc, |f| {
        f.statement == "expenditure_by_func" && f.item == "合计" && f.measure == "project"
    });
    assert_eq!(basic, d("99406297"));
    assert_eq!(project, d("65572343"));
    assert_eq!(basic + project, d("164978640"));
    // 204 公共安全支出 closes page 1 of the 功能分类 table (line 563): still a subtotal.
    assert!(
        of(&doc, "gpb_by_func")
            .filter(|f| f.func_code.as_deref() == Some("204"))
            .all(|f| f.is_total)
    );
    leaf_sums_match(&doc, Decimal::ZERO);
}

#[test]
fn wanli_basic_by_econ() {
    let doc = wanli();
    // 基本支出经济分类预算表 (合计 column): 301 83,847,385 + 302 15,381,432 + 303 177,480
    // = 99,406,297 (合计, line 778). 人员经费 = 83,847,385 + 177,480 = 84,024,865.
    let t = |code: &str| {
        one(&doc, |f| {
            f.statement == "gpb_basic_by_econ"
                && f.econ_code.as_deref() == Some(code)
                && f.measure == "total"
        })
    };
    assert_eq!(t("301"), d("83847385"));
    assert_eq!(t("302"), d("15381432"));
    assert_eq!(t("303"), d("177480"));
    assert_eq!(t("301") + t("302") + t("303"), d("99406297"));
    // Page 1 of the table has no row with all three columns: 302 商品和服务支出 prints 合计
    // and 公用经费 only (line 739), page 2 starts 13 characters further left.
    assert_eq!(
        one(&doc, |f| f.econ_code.as_deref() == Some("302")
            && f.measure == "public_use"),
        d("15381432")
    );
    assert!(
        !doc.facts
            .iter()
            .any(|f| f.econ_code.as_deref() == Some("302") && f.measure == "personnel")
    );
    assert_eq!(
        one(&doc, |f| f.statement == "gpb_basic_by_econ"
            && f.item == "合计"
            && f.measure == "personnel"),
        d("84024865")
    );
    // 30106 never printed; 30217 公务接待费 13,500 (line 760).
    assert_eq!(
        one(&doc, |f| f.econ_code.as_deref() == Some("30217")
            && f.measure == "total"),
        d("13500")
    );
}

#[test]
fn wanli_three_public_in_yuan() {
    let doc = wanli();
    // 单位:万元, line 792: 合计 22.91, 因公出国(境)费 0, 公务接待费 1.35, 公务用车购置及运行费
    // 小计 21.56 (购置费 0, 运行费 21.56), 机关运行经费 786.09.
    let tp = |item: &str| one(&doc, |f| f.statement == "three_public" && f.item == item);
    assert_eq!(tp("合计"), d("229100"));
    assert_eq!(tp("因公出国（境）费"), d("0"));
    assert_eq!(tp("公务接待费"), d("13500"));
    assert_eq!(tp("公务用车购置及运行维护费"), d("215600"));
    assert_eq!(tp("公务用车购置费"), d("0"));
    assert_eq!(tp("公务用车运行维护费"), d("215600"));
    assert_eq!(tp("机关运行经费"), d("7860900"));
    // 0 + 13,500 + 215,600 = 229,100.
    assert_eq!(
        tp("因公出国（境）费") + tp("公务接待费") + tp("公务用车购置及运行维护费"),
        tp("合计")
    );
    assert!(of(&doc, "three_public").all(|f| f.unit == crate::model::Unit::Wan));
}

#[test]
fn wanli_performance_forms() {
    let doc = wanli();
    // 5 forms; 年度资金申请总额: 4,100,000 + 6,351,000 + 4,563,800 + 7,595,500 + 10,903,043
    // = 33,513,343.
    let total: Decimal = of(&doc, "performance")
        .filter(|f| f.measure == "total")
        .map(|f| f.amount)
        .sum();
    assert_eq!(total, d("33513343"));
    assert_eq!(
        one(&doc, |f| f.statement == "performance"
            && f.item == "就业援助基地补贴"
            && f.measure == "total"),
        d("6351000")
    );
    assert!(
        doc.targets
            .iter()
            .any(|t| t.project == "新建万里街道社区公共服务中心"
                && t.indicator == "规划建筑面积"
                && t.target.as_deref() == Some("≥13459.00(平方米)"))
    );
}

// ---------------------------------------------------------------------------------------
// 中共上海市普陀区委社会工作部 2024 部门决算 (all amounts in 万元).

#[test]
fn sgb_meta_and_tables() {
    let doc = sgb();
    let m = &doc.meta;
    assert_eq!(m.fiscal_year, 2024);
    assert_eq!(m.phase, Phase::Final);
    assert_eq!(m.org_name, "中共上海市普陀区委社会工作部");
    assert_eq!(m.region, "上海市普陀区");
    assert_eq!(
        m.units,
        vec![
            "中共上海市普陀区委社会工作部（本级）",
            "上海市普陀区社会工作发展服务中心"
        ]
    );
    assert_eq!(
        ids(&doc),
        vec![
            "summary",
            "income_by_func",
            "expenditure_by_func",
            "grant_summary",
            "gpb_by_func",
            "gpb_basic_by_econ",
            "three_public",
            "gov_fund_by_func",
            "soe_capital_by_func",
        ]
    );
    assert!(doc.facts.iter().all(|f| f.unit == crate::model::Unit::Wan));
}

#[test]
fn sgb_summary_totals() {
    let doc = sgb();
    // 收入支出决算总表, line 117: 总计 307.82 | 总计 307.82 (万元) = 3,078,200 元.
    let totals: Vec<&Fact> = of(&doc, "summary").filter(|f| f.item == "总计").collect();
    assert_eq!(totals.len(), 2);
    assert!(
        totals
            .iter()
            .all(|f| f.amount == d("3078200") && f.measure == "final")
    );
    assert_eq!(
        one(&doc, |f| f.statement == "summary"
            && f.item == "一般公共预算财政拨款收入"),
        d("3078200")
    );
}

#[test]
fn sgb_expenditure_classes() {
    let doc = sgb();
    // 支出决算表 (本年支出合计): 201 264.87 + 208 10.82 + 210 2.71 + 221 29.42 = 307.82 万元.
    let classes = [
        ("201", "2648700"),
        ("208", "108200"),
        ("210", "27100"),
        ("221", "294200"),
    ];
    let mut sum = Decimal::ZERO;
    for (code, amount) in classes {
        let a = one(&doc, |f| {
            f.statement == "expenditure_by_func"
                && f.func_code.as_deref() == Some(code)
                && f.measure == "total"
        });
        assert_eq!(a, d(amount), "{code}");
        sum += a;
    }
    assert_eq!(sum, d("3078200"));
    // 基本支出 105.58 + 项目支出 202.24 = 307.82 (line 170).
    let basic = one(&doc, |f| {
        f.statement == "expenditure_by_func" && f.item == "合计" && f.measure == "basic"
    });
    assert_eq!(basic, d("1055800"));
    // 2013999 prints 本年支出合计 and 项目支出, 基本支出 blank (line 180).
    let row: Vec<&Fact> = of(&doc, "expenditure_by_func")
        .filter(|f| f.func_code.as_deref() == Some("2013999"))
        .collect();
    assert_eq!(row.len(), 2);
    assert!(
        row.iter()
            .any(|f| f.measure == "project" && f.amount == d("2022400"))
    );
    // Names wrapped above and below their row (lines 185-187).
    assert!(
        of(&doc, "expenditure_by_func").any(|f| f.func_code.as_deref() == Some("2080505")
            && f.item == "机关事业单位基本养老保险缴费支出")
    );
    // gpb: 51.32 + 11.31 + 202.24 + 6.18 + 4.64 + 2.22 + 0.49 + 17.70 + 11.72 = 307.82.
    leaf_sums_match(&doc, Decimal::ZERO);
}

#[test]
fn sgb_basic_unpivoted() {
    let doc = sgb();
    let basic: Vec<&Fact> = of(&doc, "gpb_basic_by_econ").collect();
    // Every 款 once: 301 has 13, 303 12, 302 27, 310 9 = 61 款; plus 4 类 and the two
    // 人员经费合计 / 公用经费合计 rows.
    let kuan: Vec<&str> = basic
        .iter()
        .filter_map(|f| f.econ_code.as_deref())
        .filter(|c| c.len() == 5)
        .collect();
    assert_eq!(kuan.len(), 61);
    let mut uniq = kuan.clone();
    uniq.sort_unstable();
    uniq.dedup();
    assert_eq!(uniq.len(), 61);
    assert_eq!(basic.len(), 67);
    assert!(basic.iter().all(|f| f.measure == "final"));
    let e = |code: &str| {
        one(&doc, |f| {
            f.statement == "gpb_basic_by_econ" && f.econ_code.as_deref() == Some(code)
        })
    };
    // 类 (决算数): 301 95.36, 302 10.23, 303 0.00, 310 0.00.
    assert_eq!(e("301"), d("953600"));
    assert_eq!(e("302"), d("102300"));
    assert_eq!(e("303"), d("0"));
    assert_eq!(e("310"), d("0"));
    // Right-hand pairs: 30201 办公费 3.78, 30239 其他交通费用 2.43, code and name on
    // separate lines: 30299 其他商品和服务支出 0.20 (lines 367-368), name wrapped around the
    // row: 31007 信息网络及软件购置更新 0.00 (lines 376-378).
    assert_eq!(e("30201"), d("37800"));
    assert_eq!(e("30239"), d("24300"));
    assert_eq!(e("30299"), d("2000"));
    assert!(
        basic
            .iter()
            .any(|f| f.econ_code.as_deref() == Some("31007") && f.item == "信息网络及软件购置更新")
    );
    // Left-hand wrapped name (lines 338-340): 30108 机关事业单位基本养老保险缴费 6.18.
    assert!(basic.iter().any(|f| f.econ_code.as_deref() == Some("30108")
        && f.item == "机关事业单位基本养老保险缴费"
        && f.amount == d("61800")));
    // 301's 款: 14.12+39.72+10.16+6.18+4.64+2.71+0.09+17.70+0.04 = 95.36 = 人员经费合计.
    let leaves301: Decimal = basic
        .iter()
        .filter(|f| {
            f.econ_code
                .as_deref()
                .is_some_and(|c| c.len() == 5 && c.starts_with("301"))
        })
        .map(|f| f.amount)
        .sum();
    assert_eq!(leaves301, d("953600"));
    // 302's 款: 3.78+1.15+0.02+0.68+0.48+1.48+2.43+0.20 = 10.22, printed 10.23: a rounding
    // difference of 0.01 万元 in the published table (and 95.36 + 10.23 = 105.59 against the
    // 基本支出 of 105.58).
    let leaves302: Decimal = basic
        .iter()
        .filter(|f| {
            f.econ_code
                .as_deref()
                .is_some_and(|c| c.len() == 5 && c.starts_with("302"))
        })
        .map(|f| f.amount)
        .sum();
    assert_eq!(leaves302, d("102200"));
    assert_eq!(e("302") - leaves302, d("100"));
}

#[test]
fn sgb_three_public_is_empty() {
    let doc = sgb();
    // 财政拨款“三公”经费支出决算表 prints no figures (说明: 本年度没有…).
    assert_eq!(of(&doc, "three_public").count(), 0);
    let t = doc
        .tables
        .iter()
        .find(|t| t.statement == "three_public")
        .unwrap();
    assert_eq!(t.facts, 0);
}

#[test]
fn sgb_narrative_budget_vs_final() {
    let doc = sgb();
    // (三) 1、行政运行: 全年预算为 52.00 万元 (line 497), 支出决算为 51.32 万元 (line 499).
    assert!(
        doc.narrative
            .iter()
            .any(|n| n.amount == d("520000") && n.label.contains("全年预算"))
    );
    assert!(
        doc.narrative
            .iter()
            .any(|n| n.amount == d("513200") && n.label.contains("支出决算"))
    );
    // 年初预算为 0 万元 (line 488), 支出决算为 307.82 万元 (line 490).
    assert!(
        doc.narrative
            .iter()
            .any(|n| n.amount == d("0") && n.label.contains("年初预算"))
    );
    assert!(
        doc.narrative
            .iter()
            .any(|n| n.amount == d("3078200") && n.label.contains("支出决算"))
    );
}

#[test]
fn template_is_a_clear_error() {
    let err = parse(Path::new("template.txt"), TEMPLATE).unwrap_err();
    assert!(err.message.contains("blank template"), "{}", err.message);
}

#[test]
#[ignore]
fn dump() {
    for (name, doc) in [("wanli", wanli()), ("sgb", sgb())] {
        println!("== {name}: {:?}", doc.meta);
        for t in &doc.tables {
            println!(
                "TABLE {} {} {}-{} facts={}",
                t.statement, t.title, t.start_line, t.end_line, t.facts
            );
        }
        for f in &doc.facts {
            println!(
                "{}\t{}\t{:?}\t{:?}\t{:?}\t{}\t{}\t{}\t{}\t{}\t{}",
                f.src_line,
                f.statement,
                f.direction,
                f.func_code,
                f.econ_code,
                f.fund.as_deref().unwrap_or("-"),
                f.measure,
                f.measure_label,
                f.item,
                f.is_total,
                f.amount
            );
        }
        for r in &doc.repairs {
            println!("REPAIR {:?}", r);
        }
        for n in &doc.narrative {
            println!(
                "NARR {} {} {} {}",
                n.src_line, n.label, n.amount, n.as_printed
            );
        }
        for t in &doc.targets {
            println!("TARGET {:?}", t);
        }
    }
}

// ---------------------------------------------------------------------------------------
// PDF input and damaged copies.

fn has_pdftotext() -> bool {
    std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok()
}

#[test]
fn pdf_end_to_end() {
    if !has_pdftotext() {
        eprintln!("SKIPPED pdf_end_to_end: pdftotext (poppler-utils) is not installed");
        return;
    }
    for (pdf, txt) in [
        ("data/corpus/sh-putuo-wanli-jiedao-2023-yusuan.pdf", WANLI),
        ("data/corpus/sh-putuo-shehuigongzuobu-2024-juesuan.pdf", SGB),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(pdf);
        let bytes = std::fs::read(&path).unwrap();
        let text = crate::document::decode(&path, &bytes).unwrap();
        let from_pdf = parse(&path, &text).unwrap();
        let from_txt = parse(&path, txt).unwrap();
        // Same facts as the published layout text (made by the same pdftotext).
        assert_eq!(from_pdf.facts.len(), from_txt.facts.len(), "{pdf}");
        let s = |d: &ParsedDocument| d.facts.iter().map(|f| f.amount).sum::<Decimal>();
        assert_eq!(s(&from_pdf), s(&from_txt), "{pdf}");
        assert_eq!(from_pdf.meta, from_txt.meta);
    }
}

#[test]
fn gbk_copies_parse_the_same() {
    for (name, text) in [("wanli", WANLI), ("sgb", SGB)] {
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        let decoded = crate::document::decode(Path::new("gbk.txt"), &bytes).unwrap();
        let a = parse(Path::new("gbk.txt"), &decoded).unwrap();
        let b = parse(Path::new("gbk.txt"), text).unwrap();
        assert_eq!(a.facts, b.facts, "{name}");
    }
}

/// Deterministic pseudo-random numbers (xorshift), for the stress test.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn truncated_shuffled_and_mangled_copies_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for text in [WANLI, SGB, TEMPLATE] {
        let lines: Vec<&str> = text.lines().collect();
        // Truncated at many points: an error naming a line, or fewer tables; never a panic.
        for cut in (0..lines.len()).step_by(7) {
            let t = lines[..cut].join("\n");
            if let Err(e) = parse(Path::new("cut.txt"), &t) {
                assert!(!e.message.is_empty());
            }
        }
        // Cut in the middle of a line (bytes, at a char boundary).
        for _ in 0..60 {
            let mut at = rng.below(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let _ = parse(Path::new("cut.txt"), &text[..at]);
        }
        // Shuffled lines and blocks.
        for _ in 0..20 {
            let mut l = lines.clone();
            for _ in 0..40 {
                let (a, b) = (rng.below(l.len()), rng.below(l.len()));
                l.swap(a, b);
            }
            let _ = parse(Path::new("shuffled.txt"), &l.join("\n"));
        }
        // Random byte damage through the decoder.
        for _ in 0..30 {
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..20 {
                let i = rng.below(bytes.len());
                bytes[i] = (rng.next() & 0xff) as u8;
            }
            if let Ok(t) = crate::document::decode(Path::new("bytes.txt"), &bytes) {
                let _ = parse(Path::new("bytes.txt"), &t);
            }
        }
    }
}

/// Both Shanghai documents are read whole: every standard table found, every number in
/// their tables stored or skipped for a reason.
#[test]
fn the_shanghai_documents_are_complete() {
    for (name, doc) in [("wanli", wanli()), ("sgb", sgb())] {
        let c = &doc.coverage;
        assert_eq!(
            c.status,
            crate::model::CoverageStatus::Complete,
            "{name}: {:?}",
            c.reasons
        );
        assert!(c.missing.is_empty(), "{name}: {:?}", c.missing);
        assert!(c.unread.is_empty(), "{name}: {:?}", c.unread);
        assert_eq!(c.numbers, c.stored + c.skipped_total(), "{name}");
    }
}

// 深圳市统计局（本级）2026 部门预算 (万元). Shenzhen's set: 支出总表 with a 2026年政府采购项目
// group (小计 | 其中：中小企业 | 其中：小型、微型企业) beside 上缴上级支出, printed over three
// pages with its title repeated; 基本支出总表 (all funds, by economic class, by source of
// funds); 一般公共预算支出表 按功能分类 and 按经济分类.

fn sz_tongji() -> ParsedDocument {
    parse(Path::new("sz.txt"), SZ_TONGJI).expect("the Shenzhen document parses")
}

#[test]
fn shenzhen_expenditure_table_is_read_across_its_pages() {
    let doc = sz_tongji();
    assert_eq!(doc.meta.fiscal_year, 2026);
    assert_eq!(doc.meta.org_name, "深圳市统计局（本级）");
    let place = doc
        .meta
        .place
        .as_ref()
        .expect("深圳市 is in the division catalog");
    assert_eq!(
        (
            place.province.as_str(),
            place.city.as_deref(),
            place.county.as_deref()
        ),
        ("广东省", Some("深圳市"), None)
    );
    assert_eq!(place.admin_code, "440300");
    let leaves = |measure: &str| {
        of(&doc, "expenditure_by_func")
            .filter(|f| !f.is_total && f.measure == measure && f.func_code.is_some())
            .map(|f| f.amount)
            .sum::<Decimal>()
    };
    // 2010501 2,357.92 + 2010505 701.80 + 2010506 359.77 + 2010507 59.23 + 2050803 193.00
    // + 2080501 252.07 + 2080505 211.92 + 2080506 98.40 + 2101101 86.28 + 2210201 214.68
    // + 2210203 882.72 = 5,417.79 (合计 printed 5,417.80: the 尾数误差 the note warns of).
    assert_eq!(leaves("total"), d("54177900"));
    // 基本支出: 2,357.92 + 252.07 + 211.92 + 98.40 + 86.28 + 214.68 + 882.72 = 4,103.99.
    assert_eq!(leaves("basic"), d("41039900"));
    // 项目支出: 701.80 + 359.77 + 59.23 + 193.00 = 1,313.80.
    assert_eq!(leaves("project"), d("13138000"));
    // 政府采购 小计: 2010501 8.00 + 2010505 86.28 = 94.28, none of it in 上缴上级支出.
    assert_eq!(leaves("procurement"), d("942800"));
    assert_eq!(leaves("remit_upper"), d("0"));
    // 221 住房保障支出 at the foot of page 2 is the subtotal of 22102 on page 3.
    let housing = of(&doc, "expenditure_by_func")
        .find(|f| f.func_code.as_deref() == Some("221") && f.measure == "total")
        .expect("221 row");
    assert!(housing.is_total);
    assert_eq!(housing.amount, d("10974000"));
}

#[test]
fn shenzhen_tables_by_economic_class_carry_economic_codes() {
    let doc = sz_tongji();
    // 表8 一般公共预算支出表（按经济分类）: 30101 基本工资 927.20.
    let wages = of(&doc, "gpb_by_func")
        .find(|f| f.econ_code.as_deref() == Some("30101") && f.measure == "total")
        .expect("30101 row");
    assert_eq!(wages.amount, d("9272000"));
    assert!(
        of(&doc, "gpb_by_func")
            .all(|f| { f.func_code.as_deref().is_none_or(|c| c.starts_with('2')) })
    );
    // 基本支出总表 is the basic-expenditure table: 合计 4,104.00 of which 一般公共预算拨款
    // 4,104.00.
    let basic = of(&doc, "gpb_basic_by_econ")
        .find(|f| f.item.contains("深圳市统计局") && f.measure == "total")
        .expect("unit row");
    assert_eq!(basic.amount, d("41040000"));
}

#[test]
fn shenzhen_document_has_no_error_findings() {
    let doc = sz_tongji();
    let errors = crate::checks::testing::error_messages(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(doc.coverage.unread.is_empty(), "{:?}", doc.coverage.unread);
}
