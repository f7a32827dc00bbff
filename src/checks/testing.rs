//! Small documents for the rules' tests: a fact builder and an empty document.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::model::*;

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("a decimal literal")
}

/// The messages of the error-level findings all rules give on `doc`.
pub fn error_messages(doc: &ParsedDocument) -> Vec<String> {
    super::run(doc)
        .into_iter()
        .filter(|f| f.severity == super::Severity::Error)
        .map(|f| f.message)
        .collect()
}

pub fn doc(facts: Vec<Fact>) -> ParsedDocument {
    ParsedDocument {
        meta: DocumentMeta {
            title: "测试单位2021年部门预算".into(),
            fiscal_year: 2021,
            phase: Phase::Budget,
            region: "测试市".into(),
            place: None,
            org_name: "测试单位".into(),
            org_code: None,
            units: vec![],
            sources: MetaSources::default(),
        },
        tables: vec![],
        facts,
        narrative: vec![],
        targets: vec![],
        repairs: vec![],
        coverage: Coverage::default(),
    }
}

/// A current-period expenditure fact in 元.
pub fn fact(statement: &str, measure: &str, amount: &str, line: u32) -> Fact {
    Fact {
        statement: statement.into(),
        direction: Direction::Expenditure,
        func_code: None,
        econ_code: None,
        fund: None,
        measure: measure.into(),
        measure_label: measure.into(),
        period: Period::Current,
        item: String::new(),
        is_total: false,
        amount: dec(amount),
        unit: Unit::Yuan,
        org_code: None,
        src_line: line,
    }
}

pub trait FactBuilder {
    fn func(self, code: &str) -> Self;
    fn econ(self, code: &str) -> Self;
    fn item(self, item: &str) -> Self;
    fn total(self) -> Self;
    fn fund(self, fund: &str) -> Self;
    fn wan(self) -> Self;
    fn income(self) -> Self;
}

impl FactBuilder for Fact {
    fn func(mut self, code: &str) -> Self {
        self.func_code = Some(code.into());
        self
    }
    fn econ(mut self, code: &str) -> Self {
        self.econ_code = Some(code.into());
        self
    }
    fn item(mut self, item: &str) -> Self {
        self.item = item.into();
        self
    }
    fn total(mut self) -> Self {
        self.is_total = true;
        self
    }
    fn fund(mut self, fund: &str) -> Self {
        self.fund = Some(fund.into());
        self
    }
    fn wan(mut self) -> Self {
        self.unit = Unit::Wan;
        self
    }
    fn income(mut self) -> Self {
        self.direction = Direction::Income;
        self
    }
}

/// The ids of the rules that fired, with their severities.
pub fn fired(findings: &[crate::checks::Finding]) -> Vec<(&'static str, crate::checks::Severity)> {
    findings.iter().map(|f| (f.rule, f.severity)).collect()
}
