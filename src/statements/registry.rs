//! The alias registry: which statement id a table title (or, for an untitled grid, a
//! header shape) stands for, and what a column label or a row label means (measure,
//! fund, period). Provinces name the same tables differently; add spellings here.
//!
//! Template sets that map onto the same statement ids: the seed's Sichuan set (部门收支总表,
//! 部门收入总表, 部门支出总表, 财政拨款收支总表, 一般公共预算支出表, …), Shanghai's nine-table
//! budget set (部门财务收支预算总表, 部门收入预算总表, 部门支出预算总表, 部门财政拨款收支预算总表,
//! 部门一般公共预算支出功能分类预算表, 部门政府性基金 / 国有资本经营预算支出功能分类预算表,
//! 部门一般公共预算基本支出部门预算经济分类预算表, 部门“三公”经费和机关运行经费预算表,
//! 财政项目支出绩效目标填报表) and the final-accounts set (收入支出决算总表, 收入决算表,
//! 支出决算表, 财政拨款收入支出决算总表, 一般公共预算财政拨款支出决算表, 一般公共预算财政拨款
//! 基本支出决算表, 财政拨款“三公”经费支出决算表, 政府性基金 / 国有资本经营预算财政拨款收入支出
//! 决算表).
//!
//! Canonical measures (the `measure` column):
//! - `total` 合计 / 小计 / 本年收入合计 / 本年支出合计, and a budget's 预算数 column;
//! - `basic` 基本支出, `project` 项目支出, `personnel` 人员经费, `public_use` 公用经费,
//!   `remit_upper` 上缴上级支出, `subsidiary` 对附属单位补助支出, `operating` 经营支出,
//!   `reserve` 单位预留机动经费;
//! - `of_which` a column "其中：…" that details the source of funds before it (never a
//!   part of the row's total);
//! - `amount` with a `fund` for columns naming a source of funds (一般公共预算, 财政拨款收入…);
//! - final accounts: `final` 决算数 (the amount actually spent or received),
//!   `budget_initial` 年初预算(数), `budget_adjusted` 调整预算 / 全年预算 / 调整后预算, and
//!   `budget` for a plain 预算数 column of a 决算 (the 三公 table's 预算数 / 决算数 pairs);
//! - `project_total` the whole-life amounts of a 绩效目标 form (项目资金总额 …), apart from
//!   the year's `total`.

use crate::document::text::compact;
use crate::model::{Period, statement};

/// Title fragments, most specific first: all fragments of an entry must occur in the
/// title (spaces removed, quotes ignored).
const TITLE_ALIASES: &[(&[&str], &str)] = &[
    (&["三公"], statement::THREE_PUBLIC),
    (&["绩效目标"], statement::PERFORMANCE),
    (&["绩效指标"], statement::PERFORMANCE),
    (&["绩效表"], statement::PERFORMANCE),
    (&["政府性基金", "决算表"], statement::GOV_FUND_BY_FUNC),
    (&["国有资本经营", "决算表"], statement::SOE_CAPITAL_BY_FUNC),
    (&["财政拨款", "收支"], statement::GRANT_SUMMARY),
    (&["财政拨款", "收入支出"], statement::GRANT_SUMMARY),
    (&["收支总表"], statement::SUMMARY),
    (&["收支总体情况表"], statement::SUMMARY),
    (&["收支预算总体情况表"], statement::SUMMARY),
    (&["收支预算总表"], statement::SUMMARY),
    (&["财务收支"], statement::SUMMARY),
    (&["收入支出决算总表"], statement::SUMMARY),
    (&["收入支出预算总表"], statement::SUMMARY),
    (&["政府性基金", "支出"], statement::GOV_FUND_BY_FUNC),
    (&["国有资本经营", "支出"], statement::SOE_CAPITAL_BY_FUNC),
    (&["一般公共预算", "基本支出"], statement::GPB_BASIC_BY_ECON),
    (&["财政拨款", "基本支出"], statement::GPB_BASIC_BY_ECON),
    (&["一般公共预算", "项目支出"], statement::GPB_PROJECTS),
    (&["项目支出", "预算表"], statement::GPB_PROJECTS),
    (&["项目支出", "总表"], statement::GPB_PROJECTS),
    // Shenzhen's 基本支出总表: basic expenditure of all funds by economic class.
    (&["基本支出"], statement::GPB_BASIC_BY_ECON),
    (&["一般公共预算", "支出"], statement::GPB_BY_FUNC),
    // 苏州's 财政拨款支出表（功能科目）: fiscal grants by function, 基本 (人员 | 公用) and
    // 项目 beside 合计; not the basic table its 人员经费 | 公用经费 columns suggest.
    (&["财政拨款", "支出表"], statement::GPB_BY_FUNC),
    (&["收入总表"], statement::INCOME_BY_FUNC),
    (&["收入总体情况表"], statement::INCOME_BY_FUNC),
    (&["收入预算总体情况表"], statement::INCOME_BY_FUNC),
    (&["收入预算总表"], statement::INCOME_BY_FUNC),
    (&["收入预算表"], statement::INCOME_BY_FUNC),
    (&["收入决算表"], statement::INCOME_BY_FUNC),
    (&["支出总表"], statement::EXPENDITURE_BY_FUNC),
    (&["支出总体情况表"], statement::EXPENDITURE_BY_FUNC),
    (&["支出预算总体情况表"], statement::EXPENDITURE_BY_FUNC),
    (&["支出预算总表"], statement::EXPENDITURE_BY_FUNC),
    (&["支出预算表"], statement::EXPENDITURE_BY_FUNC),
    (&["支出决算表"], statement::EXPENDITURE_BY_FUNC),
];

/// The statement a title names, if any.
pub fn statement_for_title(title: &str) -> Option<&'static str> {
    let t: String = compact(title)
        .chars()
        .filter(|c| !matches!(c, '“' | '”' | '"' | '\'' | '‘' | '’'))
        .collect();
    if t.is_empty() {
        return None;
    }
    // Tables some provinces print beside the standard set, whose titles would otherwise
    // match one ("一般公共预算机关运行经费支出预算表", "政府采购支出预算表"): not a standard
    // statement (a 三公 table that also lists 机关运行经费 still is one).
    const BESIDE_THE_SET: &[&str] = &["机关运行经费", "政府采购", "购买服务"];
    if !t.contains("三公") && BESIDE_THE_SET.iter().any(|w| t.contains(w)) {
        return None;
    }
    TITLE_ALIASES
        .iter()
        .find(|(frags, _)| frags.iter().all(|f| t.contains(f)))
        .map(|(_, id)| *id)
}

/// The statement an untitled grid's header labels suggest.
pub fn statement_for_header(labels: &[String]) -> Option<&'static str> {
    let has = |k: &str| labels.iter().any(|l| compact(l).contains(k));
    if has("人员经费") && has("公用经费") {
        Some(statement::GPB_BASIC_BY_ECON)
    } else if has("公务接待") {
        Some(statement::THREE_PUBLIC)
    } else if has("三级指标") || has("绩效指标") {
        Some(statement::PERFORMANCE)
    } else if has("收入") && has("支出") && has("项目") {
        Some(statement::SUMMARY)
    } else if has("基本支出") && has("项目支出") && has("科目") {
        Some(statement::EXPENDITURE_BY_FUNC)
    } else {
        None
    }
}

/// Fund a table's title implies for all its amounts.
pub fn fund_for_title(title: &str) -> Option<&'static str> {
    let t = compact(title);
    if t.contains("政府性基金") {
        Some("gov_fund")
    } else if t.contains("国有资本经营") {
        Some("soe_capital")
    } else if t.contains("一般公共预算") {
        Some("general_budget")
    } else {
        None
    }
}

/// What a column (or an income row) label measures: (measure, fund).
pub fn measure_for_label(label: &str) -> Option<(&'static str, Option<&'static str>)> {
    let l = compact(label);
    if l.is_empty() {
        return None;
    }
    let m = if l.contains("扣除基建") {
        // Beijing's 项目支出 | 扣除基建项目后预算数: a memo beside the project total.
        ("project_excl_capital", None)
    } else if l.contains("基本支出") {
        ("basic", None)
    } else if l.contains("项目支出") {
        ("project", None)
    } else if l.contains("上缴上级") {
        ("remit_upper", None)
    } else if l.contains("附属单位") && !l.contains("上缴") {
        // 对附属单位补助支出; 附属单位上缴收入 is a source of funds.
        ("subsidiary", None)
    } else if l.contains("经营支出") {
        ("operating", None)
    } else if l.contains("机动经费") {
        // Jiangsu's 单位预留机动经费: a part of the row's 合计 beside 基本 and 项目.
        ("reserve", None)
    } else if l.contains("年初预算") {
        ("budget_initial", None)
    } else if l.contains("调整预算") || l.contains("全年预算") || l.contains("调整后预算")
    {
        ("budget_adjusted", None)
    } else if l.contains("决算数") && !l.contains("上年") {
        ("final", None)
    } else if l.contains("人员经费") {
        ("personnel", None)
    } else if l.contains("公用经费") {
        ("public_use", None)
    } else if let Some(f) = fund_for_label(&l) {
        // 西安's 公共预算拨款 | 小计 | 其中：专项资金列入部门预算的项目: a part of the
        // column before it, never a source of funds of its own.
        if l.starts_with("其中") {
            ("of_which", Some(f))
        } else {
            ("amount", Some(f))
        }
    } else if l.contains("合计")
        || l.contains("总计")
        || l.contains("小计")
        || l.contains("总额")
        || l.contains("预算数")
        || l.contains("决算数")
        || l.contains("执行数")
    {
        ("total", None)
    } else if l.contains("金额") {
        ("amount", None)
    } else {
        return None;
    };
    Some(m)
}

/// The measure of a column in a document of the given phase: in a 决算, a plain 预算数
/// column is the budget the final figures compare with (`budget`).
pub fn measure_for_label_in(
    label: &str,
    phase: crate::model::Phase,
) -> Option<(&'static str, Option<&'static str>)> {
    let l = compact(label);
    if phase == crate::model::Phase::Final
        && l.contains("预算数")
        && !l.contains("上年")
        && !l.contains("年初")
        && !l.contains("调整")
        && !l.contains("全年")
    {
        return Some(("budget", None));
    }
    measure_for_label(label)
}

/// The source of funds a label names.
pub fn fund_for_label(label: &str) -> Option<&'static str> {
    let l = compact(label);
    if l.contains("上年结转")
        || l.contains("上年结余")
        || l.contains("上年财政拨款")
        || l.contains("年初结转")
    {
        Some("carryover")
    } else if l.contains("非财政拨款结余") {
        // 使用非财政拨款结余: the unit's non-fiscal balance spent this year.
        Some("non_fiscal_balance")
    } else if l.contains("一般公共预算") || l.contains("财政拨款") || l == "公共财政拨款"
    {
        Some("general_budget")
    } else if l.contains("政府性基金") {
        Some("gov_fund")
    } else if l.contains("国有资本经营") {
        Some("soe_capital")
    } else if l.contains("事业单位经营") || l.contains("经营收入") {
        Some("operating")
    } else if l.contains("事业基金") {
        Some("business_fund")
    } else if l.contains("事业收入") {
        Some("business")
    } else if l.contains("附属单位上缴") {
        Some("subsidiary")
    } else if l.contains("上级补助") {
        Some("upper_subsidy")
    } else if l.contains("其他收入") || l.contains("其他资金") {
        Some("other")
    } else if l.contains("财政专户") {
        // 财政专户管理资金 (Beijing, Shenzhen): fees kept in a fiscal special account.
        Some("special_account")
    } else if l == "单位资金" {
        Some("unit_funds")
    } else if l.contains("实户资金") {
        // 西安's 上年实户资金余额: money left in the unit's own bank account.
        Some("account_balance")
    } else {
        None
    }
}

/// The period a column label means: 上年预算数 / 上年决算数 are the previous year.
pub fn period_for_label(label: &str) -> Period {
    let l = compact(label);
    if l.contains("上年预算")
        || l.contains("上年决算")
        || l.contains("上年执行")
        || l.contains("上年数")
        || l.contains("上年同期")
    {
        Period::Prior
    } else {
        Period::Current
    }
}

/// A ratio column (下降%, 增长率): not money.
pub fn is_ratio_label(label: &str) -> bool {
    let l = compact(label);
    l.contains('%')
        || l.contains('％')
        || l.contains("增长率")
        || l.contains("下降率")
        || l.contains("增减率")
        || l.contains("比例")
        || l.contains("占比")
}

/// A row label that sums other rows.
pub fn is_total_label(label: &str) -> bool {
    let l = compact(label);
    l.contains("合计") || l.contains("总计") || l == "小计"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles() {
        let cases = [
            ("部门收支总表", statement::SUMMARY),
            ("部门财务收支预算总表", statement::SUMMARY),
            ("收入支出决算总表", statement::SUMMARY),
            ("部门支出总表", statement::EXPENDITURE_BY_FUNC),
            (
                "部门“三公”经费和机关运行经费预算表",
                statement::THREE_PUBLIC,
            ),
            ("部门收入总表", statement::INCOME_BY_FUNC),
            ("财政拨款收支预算总表", statement::GRANT_SUMMARY),
            ("财政拨款收入支出决算总表", statement::GRANT_SUMMARY),
            (
                "政府性基金预算财政拨款收入支出决算表",
                statement::GOV_FUND_BY_FUNC,
            ),
            (
                "国有资本经营预算财政拨款收入支出决算表",
                statement::SOE_CAPITAL_BY_FUNC,
            ),
            ("一般公共预算财政拨款支出决算表", statement::GPB_BY_FUNC),
            ("财政拨款支出表（功能科目）", statement::GPB_BY_FUNC),
            (
                "财政拨款基本支出表（经济科目）",
                statement::GPB_BASIC_BY_ECON,
            ),
            (
                "一般公共预算财政拨款基本支出决算表",
                statement::GPB_BASIC_BY_ECON,
            ),
            ("财政拨款“三公”经费支出决算表", statement::THREE_PUBLIC),
            ("收入决算表", statement::INCOME_BY_FUNC),
            ("支出决算表", statement::EXPENDITURE_BY_FUNC),
            ("2023年部门财务收支预算总表", statement::SUMMARY),
            ("2023年部门收入预算总表", statement::INCOME_BY_FUNC),
            ("2023年部门支出预算总表", statement::EXPENDITURE_BY_FUNC),
            ("2023年部门财政拨款收支预算总表", statement::GRANT_SUMMARY),
            (
                "2023年部门一般公共预算基本支出部门预算经济分类预算表",
                statement::GPB_BASIC_BY_ECON,
            ),
            (
                "2023年部门“三公”经费和机关运行经费预算表",
                statement::THREE_PUBLIC,
            ),
            ("财政项目支出绩效目标填报表", statement::PERFORMANCE),
            ("一般公共预算支出预算表", statement::GPB_BY_FUNC),
            ("一般公共预算基本支出预算表", statement::GPB_BASIC_BY_ECON),
            ("一般公共预算项目支出预算表", statement::GPB_PROJECTS),
            ("一般公共预算“三公”经费支出预算表", statement::THREE_PUBLIC),
            (
                "政府性基金预算“三公”经费支出预算表",
                statement::THREE_PUBLIC,
            ),
            ("政府性基金支出预算表", statement::GOV_FUND_BY_FUNC),
            ("国有资本经营预算支出预算表", statement::SOE_CAPITAL_BY_FUNC),
            ("2021年部门预算项目绩效目标", statement::PERFORMANCE),
            ("2021年部门整体支出绩效目标表", statement::PERFORMANCE),
            ("“三公经费”情况统计表", statement::THREE_PUBLIC),
            ("部门一般公共预算支出功能分类预算表", statement::GPB_BY_FUNC),
            ("2026年部门收支总体情况表", statement::SUMMARY),
            ("2026年部门收入总体情况表", statement::INCOME_BY_FUNC),
            ("2026年部门支出总体情况表", statement::EXPENDITURE_BY_FUNC),
            ("2026年财政拨款收支总体情况表", statement::GRANT_SUMMARY),
        ];
        for (t, id) in cases {
            assert_eq!(statement_for_title(t), Some(id), "{t}");
        }
        assert_eq!(statement_for_title("某某情况表"), None);
        // Tables beside the standard set.
        assert_eq!(
            statement_for_title("一般公共预算机关运行经费支出预算表"),
            None
        );
        assert_eq!(statement_for_title("政府采购支出预算表"), None);
    }

    #[test]
    fn labels() {
        assert_eq!(measure_for_label("合计"), Some(("total", None)));
        assert_eq!(measure_for_label("2021年预算数"), Some(("total", None)));
        assert_eq!(
            measure_for_label("一般公共预算"),
            Some(("amount", Some("general_budget")))
        );
        assert_eq!(
            measure_for_label("上年财政拨款资金"),
            Some(("amount", Some("carryover")))
        );
        // Shenzhen's 收入总表 and Beijing's 报表 name these sources of funds.
        assert_eq!(
            measure_for_label("上年结余、结转"),
            Some(("amount", Some("carryover")))
        );
        assert_eq!(
            measure_for_label("附属单位上缴收入"),
            Some(("amount", Some("subsidiary")))
        );
        assert_eq!(
            measure_for_label("对附属单位补助支出"),
            Some(("subsidiary", None))
        );
        assert_eq!(
            measure_for_label("财政专户管理资金"),
            Some(("amount", Some("special_account")))
        );
        // 西安's 收入总表: two more sources, and a detail of the one before it.
        assert_eq!(
            measure_for_label("上年实户资金余额"),
            Some(("amount", Some("account_balance")))
        );
        assert_eq!(
            measure_for_label("使用非财政拨款结余"),
            Some(("amount", Some("non_fiscal_balance")))
        );
        assert_eq!(
            measure_for_label("其中：一般公共预算"),
            Some(("of_which", Some("general_budget")))
        );
        assert_eq!(
            measure_for_label("扣除基建项目后预算数"),
            Some(("project_excl_capital", None))
        );
        assert_eq!(period_for_label("上年预算数"), Period::Prior);
        assert_eq!(measure_for_label("决算数"), Some(("final", None)));
        assert_eq!(
            measure_for_label("年初预算数"),
            Some(("budget_initial", None))
        );
        assert_eq!(
            measure_for_label("调整预算数"),
            Some(("budget_adjusted", None))
        );
        assert_eq!(
            measure_for_label_in("预算数", crate::model::Phase::Final),
            Some(("budget", None))
        );
        assert_eq!(
            measure_for_label_in("预算数", crate::model::Phase::Budget),
            Some(("total", None))
        );
        assert_eq!(period_for_label("上年财政拨款资金"), Period::Current);
        assert!(is_ratio_label("下降%"));
    }
}
