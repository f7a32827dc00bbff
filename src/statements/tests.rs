//! Acceptance tests on the seed document (万源市社会保险事业管理局 2021 部门预算): the
//! hand-checked figures, a count of numeric cells by an independent method, truncated
//! and junk input.

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;
use crate::model::{CoverageStatus, MetaSource, Phase};

const SEED: &str = include_str!("../../data/docs/wanyuan-shebaoju-2021-yusuan.txt");

fn seed() -> ParsedDocument {
    parse(Path::new("seed.txt"), SEED).expect("seed parses")
}

/// The non-total rows of a statement's 合计 column.
fn leaf_totals<'a>(doc: &'a ParsedDocument, st: &'a str) -> Vec<&'a Fact> {
    of(doc, st)
        .filter(|f| !f.is_total && f.measure == "total")
        .collect()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn sum<'a>(facts: impl Iterator<Item = &'a Fact>) -> Decimal {
    facts.map(|f| f.amount).sum()
}

fn of<'a>(doc: &'a ParsedDocument, st: &'a str) -> impl Iterator<Item = &'a Fact> + 'a {
    doc.facts.iter().filter(move |f| f.statement == st)
}

#[test]
fn metadata() {
    let m = seed().meta;
    assert_eq!(m.fiscal_year, 2021);
    assert_eq!(m.phase, Phase::Budget);
    assert_eq!(m.org_name, "万源市社会保险事业管理局");
    assert_eq!(m.region, "万源市");
    assert_eq!(m.org_code.as_deref(), Some("203101"));
    assert_eq!(m.units, vec!["万源市社保局".to_string()]);
    assert!(m.title.contains("2021") && m.title.contains("预算"));
}

#[test]
fn tables_found() {
    let doc = seed();
    let ids: Vec<&str> = doc.tables.iter().map(|t| t.statement.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "three_public",
            "summary",
            "expenditure_by_func",
            "grant_summary",
            "gpb_by_func",
            "gpb_basic_by_econ",
            "gpb_projects",
            "three_public",
            "gov_fund_by_func",
            "three_public",
            "soe_capital_by_func",
            "performance",
            "performance",
            "three_public",
        ]
    );
    let gpb = &doc.tables[4];
    assert_eq!(gpb.start_line, 230);
    assert!(gpb.end_line >= 315);
    for t in &doc.tables {
        if matches!(
            t.statement.as_str(),
            "gov_fund_by_func" | "soe_capital_by_func"
        ) {
            assert_eq!(t.facts, 0);
        }
    }
    assert_eq!(doc.tables[9].facts, 0);
}

#[test]
fn summary_rows() {
    let doc = seed();
    let s: Vec<&Fact> = of(&doc, "summary").collect();
    let gb = s
        .iter()
        .find(|f| f.direction == Direction::Income && f.fund.as_deref() == Some("general_budget"))
        .unwrap();
    assert_eq!(gb.amount, d("3162923.00"));
    assert_eq!(gb.measure, "total");
    assert_eq!(gb.measure_label, "2021年预算数");
    let sb = s
        .iter()
        .find(|f| f.func_code.as_deref() == Some("208"))
        .unwrap();
    assert_eq!(sb.amount, d("2875129.00"));
    assert_eq!(sb.direction, Direction::Expenditure);
    assert!(!sb.is_total);
    assert!(
        s.iter()
            .filter(|f| f.item.contains("总计") || f.item.contains("合计"))
            .all(|f| f.is_total)
    );
    let grant: Vec<&Fact> = of(&doc, "grant_summary").collect();
    assert!(grant.iter().any(|f| f.func_code.as_deref() == Some("221")
        && f.fund.as_deref() == Some("general_budget")
        && f.amount == d("184249.00")));
    assert!(
        grant
            .iter()
            .filter(|f| f.item.contains("本年") || f.item.contains("总计"))
            .all(|f| f.is_total)
    );
}

#[test]
fn expenditure_by_func_hand_checked() {
    let doc = seed();
    let leaves = || of(&doc, "expenditure_by_func").filter(|f| !f.is_total);
    assert!(leaves().all(|f| f.func_code.as_ref().is_some_and(|c| c.len() == 7)));
    assert!(leaves().all(|f| f.org_code.as_deref() == Some("203101")));
    let total = || leaves().filter(|f| f.measure == "total");
    assert_eq!(sum(total()), d("3162923.00"));
    let by = |lei: &str| sum(total().filter(|f| f.func_code.as_deref().unwrap().starts_with(lei)));
    assert_eq!(by("208"), d("2875129.00"));
    assert_eq!(by("210"), d("103545.00"));
    assert_eq!(by("221"), d("184249.00"));
    assert_eq!(
        sum(leaves().filter(|f| f.measure == "basic")),
        d("3112923.00")
    );
    assert_eq!(
        sum(leaves().filter(|f| f.measure == "project")),
        d("50000.00")
    );
    // 合计 and the unit row are totals.
    assert!(
        of(&doc, "expenditure_by_func")
            .filter(|f| f.src_line == 181 || f.src_line == 182)
            .all(|f| f.is_total)
    );
}

#[test]
fn gpb_matrix_hand_checked() {
    let doc = seed();
    let cell = |func: &str, econ: &str| -> Vec<Decimal> {
        of(&doc, "gpb_by_func")
            .filter(|f| {
                !f.is_total
                    && f.func_code.as_deref() == Some(func)
                    && f.econ_code.as_deref() == Some(econ)
            })
            .map(|f| f.amount)
            .collect()
    };
    assert_eq!(cell("2080109", "30101"), vec![d("855276.00")]);
    assert_eq!(cell("2080505", "30108"), vec![d("257070.00")]);
    assert_eq!(cell("2101101", "30110"), vec![d("99802.00")]);
    assert_eq!(cell("2210201", "30113"), vec![d("184249.00")]);
    // 合计 column: econ NULL, measure total.
    assert!(
        of(&doc, "gpb_by_func").any(|f| f.func_code.as_deref() == Some("2080109")
            && f.econ_code.is_none()
            && f.measure == "total"
            && f.amount == d("2592139.00"))
    );
    // Group subtotals: the 类 code, a total; the second 小计 is 商品和服务支出.
    assert!(
        of(&doc, "gpb_by_func")
            .filter(|f| f.measure_label == "小计")
            .all(|f| f.is_total && f.econ_code.as_ref().is_some_and(|e| e.len() == 3))
    );
    assert!(
        of(&doc, "gpb_by_func").any(|f| f.econ_code.as_deref() == Some("302")
            && f.func_code.as_deref() == Some("2080109")
            && f.amount == d("317637.00"))
    );
    // Rows 合计 and 类/款 rows are totals.
    assert!(
        of(&doc, "gpb_by_func")
            .filter(|f| f.func_code.as_ref().is_none_or(|c| c.len() < 7))
            .all(|f| f.is_total)
    );
    // Codes rebuilt and reported.
    assert!(
        doc.repairs
            .iter()
            .any(|r| r.src_line == 238 && r.printed == "09" && r.repaired == "2080109")
    );
    assert!(
        doc.repairs
            .iter()
            .any(|r| r.src_line == 236 && r.repaired == "208")
    );
}

#[test]
fn gpb_basic_hand_checked() {
    let doc = seed();
    let leaves = || of(&doc, "gpb_basic_by_econ").filter(|f| !f.is_total);
    assert!(leaves().all(|f| f.econ_code.as_ref().is_some_and(|c| c.len() == 5)));
    let by = |lei: &str| {
        sum(leaves()
            .filter(|f| f.measure == "total" && f.econ_code.as_deref().unwrap().starts_with(lei)))
    };
    assert_eq!(by("301"), d("2152731.00"));
    assert_eq!(by("302"), d("267637.00"));
    assert_eq!(by("303"), d("682555.00"));
    assert_eq!(by("310"), d("10000.00"));
    assert_eq!(
        sum(leaves().filter(|f| f.measure == "personnel")),
        d("2835286.00")
    );
    assert_eq!(
        sum(leaves().filter(|f| f.measure == "public_use")),
        d("277637.00")
    );
    assert!(
        of(&doc, "gpb_basic_by_econ")
            .filter(|f| f.econ_code.as_deref() == Some("301"))
            .all(|f| f.is_total)
    );
}

#[test]
fn projects_hand_checked() {
    let doc = seed();
    let leaves: Vec<&Fact> = of(&doc, "gpb_projects").filter(|f| !f.is_total).collect();
    let mut got: Vec<(String, Decimal)> =
        leaves.iter().map(|f| (f.item.clone(), f.amount)).collect();
    got.sort();
    let mut want = vec![
        ("大厅业务经办工作经费".to_string(), d("20000.00")),
        ("养老保险、职业年金关系转移".to_string(), d("10000.00")),
        ("个人权益记录".to_string(), d("20000.00")),
    ];
    want.sort();
    assert_eq!(got, want);
    assert!(
        leaves
            .iter()
            .all(|f| f.func_code.as_deref() == Some("2080109") && f.measure == "amount")
    );
    assert_eq!(of(&doc, "gpb_projects").filter(|f| f.is_total).count(), 3);
}

#[test]
fn three_public_reception_is_9700_everywhere() {
    let doc = seed();
    let reception: Vec<&Fact> = of(&doc, "three_public")
        .filter(|f| f.item == "公务接待费" && f.period == Period::Current)
        .collect();
    assert!(reception.len() >= 4);
    assert!(reception.iter().all(|f| f.amount == d("9700.00")));
    assert!(
        reception
            .iter()
            .all(|f| f.econ_code.as_deref() == Some("30217"))
    );
    // Table (a) is printed in 万元.
    assert!(
        reception
            .iter()
            .any(|f| f.unit == crate::model::Unit::Wan && f.src_line == 128)
    );
    // Prior year and the unexplained 其他交通费用.
    assert!(
        of(&doc, "three_public").any(|f| f.item == "公务接待费"
            && f.period == Period::Prior
            && f.amount == d("10000.00"))
    );
    assert!(
        of(&doc, "three_public").any(|f| f.item == "其他交通费用" && f.amount == d("10000.00"))
    );
    // 下降% is not money.
    assert!(!of(&doc, "three_public").any(|f| f.amount == d("3.00")));
    // The 合计 row is a total.
    assert!(
        of(&doc, "three_public")
            .filter(|f| f.src_line == 464)
            .all(|f| f.is_total)
    );
}

#[test]
fn performance_and_targets() {
    let doc = seed();
    let p: Vec<&Fact> = of(&doc, "performance").collect();
    assert!(p.iter().any(|f| f.item == "机关党组织活动经费"
        && f.measure == "total"
        && f.amount == d("27637.00")));
    assert!(p.iter().any(|f| f.item == "机关党组织活动经费"
        && f.fund.as_deref() == Some("general_budget")
        && f.amount == d("27637.00")));
    assert!(
        p.iter()
            .any(|f| f.item == "金额合计" && f.is_total && f.amount == d("3162923.00"))
    );
    assert!(
        p.iter()
            .filter(|f| f.src_line == 404 || f.src_line == 405)
            .all(|f| f.is_total)
    );
    let t = |line: u32| doc.targets.iter().filter(move |t| t.src_line == line);
    assert!(t(407).all(|t| t.project == "大厅业务经办工作经费"));
    assert!(t(414).all(|t| t.project == "养老保险、职业年金关系转移"));
    assert!(t(435).any(|t| t.target.as_deref() == Some("37637元")
        && t.indicator == "机关党组织活动经费"
        && t.level2.as_deref() == Some("数量指标")));
    assert!(t(413).any(|t| t.target.as_deref() == Some("≥100%")));
    assert!(t(441).all(|t| t.level1.as_deref() == Some("项目完成")));
}

#[test]
fn narrative_figures() {
    let doc = seed();
    let n = &doc.narrative;
    let rec = n.iter().find(|f| f.src_line == 113).unwrap();
    assert_eq!(rec.label, "公务接待费");
    assert_eq!(rec.amount, d("97000000"));
    assert_eq!(rec.as_printed, "9700 万元");
    let ss = n.iter().find(|f| f.label == "社会保障和就业").unwrap();
    assert_eq!(ss.amount, d("2875100.00"));
    assert_eq!(ss.src_line, 67);
    assert!(
        n.iter()
            .any(|f| f.label == "收入预算总额" && f.amount == d("3162900.00"))
    );
    assert!(
        n.iter()
            .any(|f| f.label == "事业收入" && f.amount.is_zero())
    );
    // Counts, years and percentages are not money.
    assert!(
        !n.iter()
            .any(|f| f.amount == d("47467") || f.as_printed.contains('人'))
    );
    assert!(!n.iter().any(|f| f.as_printed.starts_with("2020")));
}

/// An independent count of the numeric cells of each table: a cell counts when it is a
/// number (digits, commas, a dot, maybe in parentheses) and some text cell precedes it
/// in the row (so codes at the start of a row do not count); cells under a header with
/// "%" do not count.
#[test]
fn every_numeric_cell_is_a_fact() {
    let doc = seed();
    let lines: Vec<&str> = SEED.lines().collect();
    let is_num = |c: &str| {
        let c = c
            .trim()
            .trim_start_matches(['(', '（'])
            .trim_end_matches([')', '）']);
        !c.is_empty()
            && c.chars().any(|ch| ch.is_ascii_digit())
            && c.chars()
                .all(|ch| ch.is_ascii_digit() || ch == ',' || ch == '.')
    };
    for t in &doc.tables {
        let mut ratio_cols = Vec::new();
        let mut count = 0usize;
        for no in t.start_line..=t.end_line {
            let line = lines[(no - 1) as usize];
            if !line.contains('\t') {
                continue;
            }
            let cells: Vec<&str> = line.split('\t').collect();
            for (i, c) in cells.iter().enumerate() {
                if c.contains('%') && !is_num(c) {
                    ratio_cols.push(i);
                }
            }
            let mut seen_text = false;
            for (i, c) in cells.iter().enumerate() {
                let c = c.trim();
                if c.is_empty() {
                    continue;
                }
                if is_num(c) {
                    let code = !seen_text && !c.contains(',') && !c.contains('.');
                    if !code && !ratio_cols.contains(&i) {
                        count += 1;
                    }
                } else {
                    seen_text = true;
                }
            }
        }
        assert_eq!(count, t.facts, "table {} at line {}", t.title, t.start_line);
    }
    assert_eq!(
        doc.facts.len(),
        doc.tables.iter().map(|t| t.facts).sum::<usize>()
    );
}

fn cut(n: usize) -> String {
    let mut s = SEED.lines().take(n).collect::<Vec<_>>().join("\n");
    s.push('\n');
    s
}

#[test]
fn truncated_inside_grant_summary() {
    let err = parse(Path::new("cut.txt"), &cut(200)).unwrap_err();
    assert_eq!(err.line, Some(190));
    assert!(
        err.message.contains("财政拨款收支预算总表"),
        "{}",
        err.message
    );
    assert!(err.message.contains("truncated"), "{}", err.message);
}

#[test]
fn truncated_inside_matrix_and_partial_row() {
    let err = parse(Path::new("cut.txt"), &cut(240)).unwrap_err();
    assert_eq!(err.line, Some(230), "{err}");
    // A last row cut short, no final newline.
    let text = SEED.lines().take(186).collect::<Vec<_>>().join("\n");
    let text = format!("{}\n{}", text, "210\t11\t02\t203101");
    let err = parse(Path::new("cut.txt"), &text).unwrap_err();
    assert_eq!(err.line, Some(175), "{err}");
    assert!(err.message.contains("cut short"), "{}", err.message);
}

#[test]
fn bad_documents_are_errors() {
    let p = Path::new("bad.txt");
    assert_eq!(parse(p, "").unwrap_err().message, "empty document");
    assert_eq!(
        parse(p, "# 某局\n\n2021 年部门预算的说明。\n")
            .unwrap_err()
            .message,
        "no budget tables found, and no money figures in the prose: nothing to store"
    );
    let no_year = SEED.replace("2021", "二〇二一").replace("2020", "二〇二〇");
    assert!(
        parse(p, &no_year)
            .unwrap_err()
            .message
            .contains("fiscal year")
    );
    let no_org: String = SEED
        .lines()
        .filter(|l| !l.starts_with("# "))
        .collect::<Vec<_>>()
        .join("\n");
    let no_org = no_org.replace("万源市社会保险事业管理局", "本单位");
    // A document whose organisation is nowhere is still read: the file name stands in
    // and coverage says so.
    let doc = parse(p, &no_org).expect("metadata never blocks a document with tables");
    assert_eq!(doc.meta.org_name, "bad");
    assert_eq!(doc.meta.sources.org_name, MetaSource::Missing);
    assert_eq!(doc.coverage.status, CoverageStatus::Partial);
    assert!(
        doc.coverage.reasons[0].contains("pass --org"),
        "{:?}",
        doc.coverage.reasons
    );
}

/// The seed is read whole: every number in its tables is a fact or skipped for a reason.
#[test]
fn the_seed_is_complete() {
    let doc = seed();
    let c = &doc.coverage;
    assert_eq!(c.status, CoverageStatus::Complete, "{:?}", c.reasons);
    assert_eq!(c.content, "tables");
    assert!(c.unread.is_empty(), "{:?}", c.unread);
    // The seed prints no 部门收入总表 (its fourteen titles are at lines 121–458): it is
    // listed as missing, and being no core table it does not make the document partial.
    assert_eq!(c.missing, vec![statement::INCOME_BY_FUNC]);
    assert_eq!(c.numbers, c.stored + c.skipped_total());
    // 部门支出总表, lines 175–188, counted by hand: 19 amounts (合计 3, the unit's row 3,
    // 208 01 09 3, five more 项 rows 2 each) and 25 codes (203101 on the unit's row; 类,
    // 款, 项 and 203101 on each of the six 项 rows).
    let t = doc
        .tables
        .iter()
        .find(|t| t.statement == statement::EXPENDITURE_BY_FUNC)
        .unwrap();
    assert_eq!((t.start_line, t.end_line), (175, 188));
    assert_eq!((t.numbers, t.stored, t.skipped, t.unread), (44, 19, 25, 0));
    assert_eq!(t.facts, 19);
}

/// A row the handlers lose shows up as unread numbers on its line: the count works from
/// the printed lines, whatever the handler did.
#[test]
fn a_lost_row_is_unread_on_its_line() {
    let r = read(Path::new("seed.txt"), SEED, &MetaOverrides::default()).unwrap();
    let i = r
        .doc
        .tables
        .iter()
        .position(|t| t.statement == statement::EXPENDITURE_BY_FUNC)
        .unwrap();
    let info = &r.doc.tables[i];
    let first = r
        .doc
        .facts
        .iter()
        .position(|f| f.statement == statement::EXPENDITURE_BY_FUNC)
        .unwrap();
    let facts = &r.doc.facts[first..first + info.facts];
    // Line 184: "208 05 05 203101 机关事业单位基本养老保险缴费支出 257,070.00 257,070.00".
    let kept: Vec<Fact> = facts
        .iter()
        .filter(|f| f.src_line != 184)
        .cloned()
        .collect();
    assert_eq!(kept.len(), 17);
    let counted = coverage::count_table(
        &r.grids[i],
        statement::EXPENDITURE_BY_FUNC,
        &kept,
        first,
        &[],
        &[],
    );
    let unread: Vec<(u32, &str)> = counted
        .numbers
        .iter()
        .filter(|n| n.fate == coverage::Fate::Unread)
        .map(|n| (n.line, n.text.as_str()))
        .collect();
    assert_eq!(unread, vec![(184, "257,070.00"), (184, "257,070.00")]);
    // Its codes are still codes.
    assert_eq!(counted.skipped(), 25);
}

/// A document without one of its core tables is partial, and says which.
#[test]
fn a_missing_standard_table_makes_the_document_partial() {
    // Lines 175–188 are the 部门支出总表, title to last row.
    let text: String = SEED
        .lines()
        .enumerate()
        .filter(|(i, _)| !(174..188).contains(i))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let doc = parse(Path::new("no-expenditure.txt"), &text).unwrap();
    let c = &doc.coverage;
    assert_eq!(c.status, CoverageStatus::Partial);
    assert_eq!(
        c.missing,
        vec![statement::INCOME_BY_FUNC, statement::EXPENDITURE_BY_FUNC]
    );
    assert_eq!(
        c.reasons,
        vec!["standard tables not found: expenditure_by_func (支出总表)".to_string()]
    );
}

#[test]
fn no_panic_on_truncations_and_junk() {
    let n = SEED.lines().count();
    for k in (1..n).step_by(37) {
        let _ = parse(Path::new("cut.txt"), &cut(k));
    }
    // Cut at arbitrary characters, without a final newline.
    let chars: Vec<char> = SEED.chars().collect();
    for k in (0..chars.len()).step_by(997) {
        let s: String = chars[..k].iter().collect();
        let _ = parse(Path::new("cut.txt"), &s);
    }
    let patterns: Vec<Vec<u8>> = vec![
        vec![],
        vec![0xff; 64],
        b"\t\t\t\n\t\t".to_vec(),
        "表\t\n合计\t(\n（\t）\n".as_bytes().to_vec(),
        "部门收支总表\n项目\t2021年预算数\n合计\t1,2,3\n"
            .as_bytes()
            .to_vec(),
        "一般公共预算支出预算表\n\t\t工资福\n09\t社\t1\n\t\t\t\t\t\t\t\t\t\t99\n"
            .as_bytes()
            .to_vec(),
        (0u8..=255).collect(),
        "\u{feff}# 局\n2021年部门预算\n“三公”经费情况统计表\n\t\t下降%\n\t合计\t3.00\n"
            .as_bytes()
            .to_vec(),
    ];
    for p in patterns {
        if let Ok(text) = crate::document::decode(Path::new("junk"), &p) {
            let _ = parse(Path::new("junk"), &text);
        }
        let _ = parse(Path::new("junk"), &String::from_utf8_lossy(&p));
    }
}

#[test]
fn gbk_seed_parses_the_same() {
    let (bytes, _, _) = encoding_rs::GBK.encode(SEED);
    let text = crate::document::decode(Path::new("gbk.txt"), &bytes).unwrap();
    let doc = parse(Path::new("gbk.txt"), &text).unwrap();
    assert_eq!(doc.facts, seed().facts);
}

#[test]
fn layout_text_cut_after_a_header_is_a_clear_error() {
    // Layout text is read (statements::corpus_tests); one cut after its first header is
    // an error naming the table, not an empty document.
    let text = "上海市普陀区人民政府万里街道办事处\n2023年部门预算\n\n部门财务收支预算总表\n  项目      预算数\n";
    let err = parse(Path::new("layout.txt"), text).unwrap_err();
    assert!(
        err.message.contains("部门财务收支预算总表"),
        "{}",
        err.message
    );
    assert_eq!(err.line, Some(4));
}

// 首都绿化委员会办公室 2026 部门预算 (Beijing's 报表, 万元 with six decimals): 预算02表收入总表
// (合计 | 本年收入 小计 … | 上年结转结余 小计 …, the groups printed far from their 小计),
// the first rows of 预算03表支出总表 ("2130201-行政运行  50101-…  30101-…") and 预算05表一般公共
// 预算支出表 (合计 | 基本支出 小计 人员经费 公用经费 | 项目支出 项目支出总数 扣除基建项目后预算数).
const BJ_LVHUA: &str = include_str!("../../data/excerpts/bj-lvhuaban-2026-yusuan.txt");

#[test]
fn beijing_grouped_subtotals_are_not_row_totals() {
    let doc = parse(Path::new("bj.txt"), BJ_LVHUA).expect("the Beijing excerpt parses");
    let gpb = |measure: &str| {
        sum(of(&doc, "gpb_by_func").filter(|f| !f.is_total && f.measure == measure))
    };
    // 958.957491 + 243.69 + 52.5 + 2,557.5 + 305 + 1,016.09 = 5,133.737491 万元.
    assert_eq!(gpb("total"), d("51337374.91"));
    // 基本支出 小计: 行政运行 950.088291 only.
    assert_eq!(gpb("basic"), d("9500882.91"));
    // 项目支出总数: 8.8692 + 243.69 + 52.5 + 2,557.5 + 305 + 1,016.09 = 4,183.6492.
    assert_eq!(gpb("project"), d("41836492.00"));
    assert_eq!(gpb("project_excl_capital"), d("41836492.00"));
    // The income row: 合计 5,133.737491 is its only total; the two 小计 are subtotals.
    let income_totals: Vec<Decimal> = of(&doc, "income_by_func")
        .filter(|f| f.measure == "total")
        .map(|f| f.amount)
        .collect();
    assert_eq!(income_totals, vec![d("51337374.91")]);
    // "2130201-行政运行": the function code before the hyphen.
    let wages = of(&doc, "expenditure_by_func")
        .find(|f| f.measure == "total" && f.src_line > 0)
        .expect("a 支出总表 row");
    assert_eq!(wages.func_code.as_deref(), Some("2130201"));
    assert_eq!(wages.amount, d("1424880.00"));
    let errors = crate::checks::testing::error_messages(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
}

const BJ_ZHONGDA: &str = include_str!("../../data/excerpts/bj-zhongdaxiangmu-2026-zhichu.txt");

#[test]
fn beijing_expenditure_rows_by_three_classifications() {
    let doc = parse(Path::new("bj-zhichu.txt"), BJ_ZHONGDA).expect("the excerpt parses");
    let leaves = leaf_totals(&doc, "expenditure_by_func");
    // The 43 rows' 合计 column adds up to the printed 合计 4,704.239912 万元.
    assert_eq!(leaves.len(), 43);
    assert_eq!(sum(leaves.iter().copied()), d("47042399.12"));
    // "2080505-机关事业单位基本养老保险缴费" alone on its line, its economic codes and
    // 291.817248 on the next: one row of 2080505 with 部门 code 30108.
    let pension = leaves
        .iter()
        .find(|f| f.amount == d("2918172.48"))
        .expect("the wrapped row");
    assert_eq!(pension.func_code.as_deref(), Some("2080505"));
    assert_eq!(pension.econ_code.as_deref(), Some("30108"));
    // 30216-培训费 beside 2050803-培训支出; the 政府 code 50203 is not the unit's code.
    let training = leaves.iter().find(|f| f.src_line == 9).expect("first row");
    assert_eq!(
        (
            training.func_code.as_deref(),
            training.econ_code.as_deref(),
            training.org_code.as_deref()
        ),
        (Some("2050803"), Some("30216"), None)
    );
    // 3021101-差旅费 is a sub-item of 30211 差旅费.
    assert!(
        leaves
            .iter()
            .any(|f| f.econ_code.as_deref() == Some("30211"))
    );
    let errors = crate::checks::testing::error_messages(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
}

const SUZHOU_SHUIWU: &str = include_str!("../../data/excerpts/sz-shuiwuju-2026-zhichu.txt");

#[test]
fn suzhou_continuation_page_keeps_its_columns() {
    // 苏州市水务局 2026 支出总表 (万元), over two pages with the running head
    // "苏州市水务局 2026 年度单位预算公开", page numbers "- 12 -" and "公开表 04" between.
    let doc = parse(Path::new("sz.txt"), SUZHOU_SHUIWU).expect("the Suzhou excerpt parses");
    let leaves = |measure: &str| {
        sum(of(&doc, "expenditure_by_func")
            .filter(|f| !f.is_total && f.measure == measure && f.func_code.is_some()))
    };
    // 合计 92,596.24 = 205.39 + 44,003.26 + 47,731.51 + 656.08 (the four 类).
    assert_eq!(leaves("total"), d("925962400.00"));
    // 基本支出 2,147.85 = 205.39 + 1,286.38 + 656.08.
    assert_eq!(leaves("basic"), d("21478500.00"));
    // The next page's 住房公积金 160.95 is basic, not project money.
    let housing = of(&doc, "expenditure_by_func")
        .find(|f| f.func_code.as_deref() == Some("2210201") && f.measure == "basic")
        .expect("2210201 has a basic amount");
    assert_eq!(housing.amount, d("1609500.00"));
    let errors = crate::checks::testing::error_messages(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
}

const XIAN_MINZHENG_BASIC: &str = include_str!("../../data/excerpts/xa-minzheng-2021-jiben.txt");

#[test]
fn xian_basic_table_by_function_with_codes_under_their_rows() {
    // 西安市民政局 2021 一般公共预算基本支出明细表, its qualifier "（按支出功能分类科目-不含上年
    // 结转）" on the line under the title, each 项 code printed on the line under its row,
    // the header printed again on the second page.
    let doc = parse(Path::new("xa-jiben.txt"), XIAN_MINZHENG_BASIC).expect("the excerpt parses");
    let leaves = leaf_totals(&doc, "gpb_basic_by_econ");
    // Rows by function, not by economic class.
    assert!(leaves.iter().all(|f| f.econ_code.is_none()));
    // The 14 项 rows (2050803 … 2210203) add up to the printed 合计 144,907,052.43.
    assert_eq!(leaves.len(), 14);
    assert_eq!(sum(leaves.iter().copied()), d("144907052.43"));
    let admin = leaves
        .iter()
        .find(|f| f.func_code.as_deref() == Some("2080201"))
        .expect("行政运行 under 20802");
    assert_eq!(admin.amount, d("12865976.29"));
    // 2089999 is printed under its row at the top of the second page.
    let other = leaves
        .iter()
        .find(|f| f.func_code.as_deref() == Some("2089999"))
        .expect("the second page's first row");
    assert_eq!(other.amount, d("25047.37"));
    let errors = crate::checks::testing::error_messages(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
}

const XIAN_SHENGTAI_ECON: &str = include_str!("../../data/excerpts/xa-shengtai-2022-jingji.txt");

#[test]
fn a_remarks_column_takes_no_amounts() {
    // 西安市生态环境局 2022, the last page of 一般公共预算支出明细表（按支出经济分类科目）:
    // "… 合计 | 人员经费支出 | 公用经费支出 | 专项业务经费支出 | 备注" over three rows whose
    // numbers sit left of their labels. 31099 其他资本性支出: 1,115,400.00 in 合计 and in
    // 专项业务经费支出, 0.00 in the other two.
    let doc = parse(Path::new("xa-jingji.txt"), XIAN_SHENGTAI_ECON).expect("the excerpt parses");
    let row: Vec<_> = of(&doc, "gpb_by_func")
        .filter(|f| f.src_line == 8)
        .collect();
    let by_label = |label: &str| {
        row.iter()
            .find(|f| f.measure_label == label)
            .map(|f| f.amount)
    };
    assert_eq!(by_label("合计"), Some(d("1115400.00")));
    assert_eq!(by_label("人员经费支出"), Some(d("0.00")));
    assert_eq!(by_label("公用经费支出"), Some(d("0.00")));
    assert_eq!(by_label("专项业务经费支出"), Some(d("1115400.00")));
    assert!(row.iter().all(|f| f.econ_code.as_deref() == Some("31099")));
}

#[test]
fn project_categories_named_like_functions_are_no_tree() {
    // 深圳市市场监督管理局深汕监管局 2026: the 项目支出总表 lists 项目类别 by name, a 项 name
    // ("食品安全监管事务") before its 款's ("市场监督管理事务"); the function table prints
    // both codes. The list is no classification tree: neither row takes a code.
    let text = "深圳市某监管局2026年部门预算

                                 一般公共预算支出表
部门名称：深圳市某监管局                                                 单位：万元
       科目编码           科目名称              合计        基本支出        项目支出

                          合计                 1,067.90      0.00       1,067.90

 201                      一般公共服务支出       1,067.90      0.00       1,067.90

 20138                    市场监督管理事务       1,067.90      0.00       1,067.90

 2013816                  食品安全监管事务          39.50      0.00          39.50

 2013899                  其他市场监督管理事务    1,028.40      0.00       1,028.40

                                 项目支出总表
部门名称：深圳市某监管局                                                 单位：万元
     支出项目类别                 总计         一般公共预算拨款

     合计                       1,067.90       1,067.90

     食品安全监管事务              39.50          39.50

     市场监督管理事务           1,028.40       1,028.40
";
    let doc = parse(Path::new("projects.txt"), text).unwrap();
    let projects: Vec<&Fact> = of(&doc, statement::GPB_PROJECTS)
        .filter(|f| f.item.ends_with("事务"))
        .collect();
    assert_eq!(
        projects.len(),
        4,
        "{:#?}",
        doc.facts
            .iter()
            .map(|f| (&f.statement, &f.item, &f.measure))
            .collect::<Vec<_>>()
    );
    assert!(
        projects.iter().all(|f| f.func_code.is_none()),
        "{projects:#?}"
    );
    // 39.50 + 1,028.40 = 1,067.90 万元.
    let total: Decimal = projects
        .iter()
        .filter(|f| f.measure == "total")
        .map(|f| f.amount)
        .sum();
    assert_eq!(total, d("10679000.00"));
}
