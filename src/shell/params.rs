//! Query parameters: `--param year=2021` on the command line and `\set year 2021` in the
//! REPL bind `$year` as a real query parameter, never as text pasted into the SQL.
//!
//! A value arrives as text. When DataFusion infers the placeholder's type from its use
//! (`fiscal_year = $year` makes `$year` an Int32), the text is cast to that type; otherwise
//! the type is read off the text: an integer, an exact decimal, or a string.

use std::collections::{BTreeMap, HashMap};

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{ParamValues, ScalarValue};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::LogicalPlan;

use super::lex;
use super::script::Statement;

/// Named parameter values, as given (text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` (without `$`) to `value`.
    pub fn set(&mut self, name: &str, value: &str) {
        self.values
            .insert(name.trim_start_matches('$').to_string(), value.to_string());
    }

    /// Removes a parameter; whether it was set.
    pub fn unset(&mut self, name: &str) -> bool {
        self.values.remove(name.trim_start_matches('$')).is_some()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `(name, value)` pairs in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Parses `NAME=VALUE` (the value may contain `=`); for clap's `value_parser`.
pub fn parse_assignment(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not NAME=VALUE"))?;
    let name = name.trim().trim_start_matches('$');
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(format!(
            "'{name}' is not a parameter name (letters, digits and _)"
        ));
    }
    Ok((name.to_string(), value.to_string()))
}

/// An unbound parameter: its name and the statement (index) and line it is used on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unbound {
    pub name: String,
    pub line: usize,
}

/// Every `$name` of every statement that `params` does not bind, with its line in the
/// script. Checked before anything runs.
pub fn unbound(statements: &[Statement], params: &Params) -> Vec<Unbound> {
    let mut out = Vec::new();
    for statement in statements {
        for (name, offset) in lex::placeholders(&statement.text) {
            if params.get(&name).is_none() && !out.iter().any(|u: &Unbound| u.name == name) {
                let line = statement.line + statement.text[..offset].matches('\n').count();
                out.push(Unbound { name, line });
            }
        }
    }
    out
}

/// Replaces the plan's placeholders with typed values from `params`.
pub fn bind(plan: LogicalPlan, params: &Params) -> Result<LogicalPlan> {
    // A parameter used with two inferred types (`y = $year AND z = $year - 1`) has no one
    // type: then every value is read off its text and the planner coerces it.
    let types: HashMap<String, Option<DataType>> = match plan.get_parameter_types() {
        Ok(types) => types,
        Err(_) => plan
            .get_parameter_names()?
            .into_iter()
            .map(|name| (name, None))
            .collect(),
    };
    if types.is_empty() {
        return Ok(plan);
    }
    let mut values: HashMap<String, ScalarValue> = HashMap::new();
    for (id, data_type) in types {
        let name = id.trim_start_matches('$');
        let text = params.get(name).ok_or_else(|| {
            DataFusionError::Plan(format!(
                "parameter ${name} has no value (give --param {name}=… or \\set {name} …)"
            ))
        })?;
        let value = match data_type {
            // A number used as a decimal keeps all its digits: cast to the scale of its use,
            // `amount = $x` with x = 9700.001 would round onto 9,700.00 and match it.
            Some(
                dt @ (DataType::Decimal32(..)
                | DataType::Decimal64(..)
                | DataType::Decimal128(..)
                | DataType::Decimal256(..)),
            ) => match infer(text) {
                v @ (ScalarValue::Int64(_) | ScalarValue::Decimal128(..)) => v,
                _ => {
                    return Err(DataFusionError::Plan(format!(
                        "parameter ${name} = '{text}' is not a valid {dt} (the type of its use)"
                    )));
                }
            },
            Some(dt) => ScalarValue::try_from_string(text.to_string(), &dt).map_err(|_| {
                DataFusionError::Plan(format!(
                    "parameter ${name} = '{text}' is not a valid {dt} (the type of its use)"
                ))
            })?,
            None => infer(text),
        };
        values.insert(name.to_string(), value);
    }
    plan.with_param_values(ParamValues::from(values))
}

/// The value of untyped text: Int64 for an integer, an exact Decimal128 for `123.45`,
/// otherwise a string.
pub fn infer(text: &str) -> ScalarValue {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return ScalarValue::Int64(Some(i));
    }
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    if let Some((int, frac)) = digits.split_once('.') {
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if all_digits(int)
            && all_digits(frac)
            && int.len() + frac.len() <= 38
            && let Ok(unscaled) = format!("{int}{frac}").parse::<i128>()
        {
            let precision = (int.len() + frac.len()).max(1) as u8;
            let scale = frac.len() as i8;
            let v = if negative { -unscaled } else { unscaled };
            return ScalarValue::Decimal128(Some(v), precision, scale);
        }
    }
    ScalarValue::Utf8(Some(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::script::split;

    #[test]
    fn assignments() {
        assert_eq!(
            parse_assignment("year=2021"),
            Ok(("year".into(), "2021".into()))
        );
        assert_eq!(parse_assignment("$q=a=b"), Ok(("q".into(), "a=b".into())));
        assert!(parse_assignment("year").is_err());
        assert!(parse_assignment("a b=1").is_err());
    }

    #[test]
    fn inference_is_exact() {
        assert_eq!(infer("2021"), ScalarValue::Int64(Some(2021)));
        assert_eq!(infer("-12.50"), ScalarValue::Decimal128(Some(-1250), 4, 2));
        assert_eq!(infer("万源市"), ScalarValue::Utf8(Some("万源市".into())));
        assert_eq!(infer("1.2.3"), ScalarValue::Utf8(Some("1.2.3".into())));
    }

    #[test]
    fn unbound_parameters_are_found_with_their_lines() {
        let stmts = split("-- r\nSELECT $year;\nSELECT 1\nWHERE x = $org AND y = $year;\n");
        let mut p = Params::new();
        p.set("year", "2021");
        assert_eq!(
            unbound(&stmts, &p),
            vec![Unbound {
                name: "org".into(),
                line: 4
            }]
        );
    }
}
