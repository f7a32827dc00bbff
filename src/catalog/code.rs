//! Code arithmetic of the two classification trees: levels, parents and roll-ups.
//!
//! 支出功能分类 codes are 3 (类), 5 (款) or 7 (项) digits; 部门预算支出经济分类 codes are
//! 3 (类) or 5 (款) digits. A parent is the code with its last two digits dropped. Codes are
//! strings: "05" and "5" are different things, and leading zeros matter.

use std::fmt;

/// Which classification tree a code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Classification {
    /// 支出功能分类: 类 / 款 / 项.
    Function,
    /// 部门预算支出经济分类: 类 / 款.
    Economic,
}

impl Classification {
    /// The deepest level of the tree.
    pub fn max_level(self) -> u8 {
        match self {
            Classification::Function => 3,
            Classification::Economic => 2,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Classification::Function => "function classification (支出功能分类)",
            Classification::Economic => "economic classification (经济分类)",
        }
    }
}

/// A code that is not well formed for its tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeError {
    pub class: Classification,
    pub code: String,
}

impl fmt::Display for CodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lengths = match self.class {
            Classification::Function => "3, 5 or 7",
            Classification::Economic => "3 or 5",
        };
        let tree = match self.class {
            Classification::Function => "function classification",
            Classification::Economic => "economic classification",
        };
        write!(
            f,
            "malformed {tree} code '{}': expected {lengths} digits",
            self.code
        )
    }
}

impl std::error::Error for CodeError {}

/// The level of a code: 1 = 类, 2 = 款, 3 = 项.
pub fn level_of(class: Classification, code: &str) -> Result<u8, CodeError> {
    let err = || CodeError {
        class,
        code: code.to_string(),
    };
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let level = match code.len() {
        3 => 1,
        5 => 2,
        7 => 3,
        _ => return Err(err()),
    };
    if level > class.max_level() {
        return Err(err());
    }
    Ok(level)
}

/// The parent code, or `None` for a 类.
pub fn parent_of(class: Classification, code: &str) -> Result<Option<String>, CodeError> {
    let level = level_of(class, code)?;
    Ok((level > 1).then(|| code[..code.len() - 2].to_string()))
}

/// The ancestor of `code` at `level` (1 = 类, 2 = 款, 3 = 项), or `None` when the code
/// is shallower than the level asked for.
pub fn rollup(class: Classification, code: &str, level: u8) -> Result<Option<&str>, CodeError> {
    let own = level_of(class, code)?;
    if level == 0 || level > own {
        return Ok(None);
    }
    Ok(Some(&code[..1 + 2 * level as usize]))
}

/// The level a roll-up argument names: `1`/`2`/`3` or `类`/`款`/`项` (as text), checked
/// against the depth of the tree.
pub fn parse_level(class: Classification, text: &str) -> Option<u8> {
    let level = match text.trim() {
        "1" | "类" => 1,
        "2" | "款" => 2,
        "3" | "项" => 3,
        _ => return None,
    };
    (level <= class.max_level()).then_some(level)
}

/// The number of digits of a code at `level` (1 -> 3, 2 -> 5, 3 -> 7).
pub fn digits_at(level: u8) -> usize {
    1 + 2 * level as usize
}

/// A half-open string range `[lower, upper)` that holds every code starting with `prefix`
/// (`'208'` -> `['208', '209')`, which holds `208`, `20801` and `2080109`). The upper end
/// bumps the last byte (`'20899'` -> `'2089:'`), so no carry is needed; `None` for an empty
/// or non-ASCII prefix.
pub fn prefix_range(prefix: &str) -> Option<(String, String)> {
    let (&last, head) = prefix.as_bytes().split_last()?;
    if !prefix.is_ascii() || last == 0x7f {
        return None;
    }
    let mut upper = String::with_capacity(prefix.len());
    upper.push_str(std::str::from_utf8(head).ok()?);
    upper.push(char::from(last + 1));
    Some((prefix.to_string(), upper))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Classification::*;

    #[test]
    fn levels_and_parents() {
        assert_eq!(level_of(Function, "208"), Ok(1));
        assert_eq!(level_of(Function, "20801"), Ok(2));
        assert_eq!(level_of(Function, "2080109"), Ok(3));
        assert!(level_of(Economic, "2080109").is_err());
        assert!(level_of(Function, "20a").is_err());
        assert!(level_of(Function, "2081").is_err());
        assert_eq!(
            parent_of(Function, "2080109").unwrap().as_deref(),
            Some("20801")
        );
        assert_eq!(parent_of(Economic, "302").unwrap(), None);
        assert_eq!(rollup(Function, "2080109", 1).unwrap(), Some("208"));
        assert_eq!(rollup(Function, "2080109", 2).unwrap(), Some("20801"));
        assert_eq!(rollup(Function, "208", 2).unwrap(), None);
    }

    #[test]
    fn errors_name_the_code() {
        let e = level_of(Function, "2081").unwrap_err();
        assert_eq!(
            e.to_string(),
            "malformed function classification code '2081': expected 3, 5 or 7 digits"
        );
        let e = level_of(Economic, "3010101").unwrap_err();
        assert_eq!(
            e.to_string(),
            "malformed economic classification code '3010101': expected 3 or 5 digits"
        );
    }

    #[test]
    fn levels_by_number_or_name() {
        assert_eq!(parse_level(Function, "款"), Some(2));
        assert_eq!(parse_level(Function, "3"), Some(3));
        assert_eq!(parse_level(Economic, "项"), None);
        assert_eq!(parse_level(Economic, "0"), None);
    }

    #[test]
    fn prefix_ranges_are_half_open() {
        let (lo, hi) = prefix_range("208").unwrap();
        assert_eq!((lo.as_str(), hi.as_str()), ("208", "209"));
        for code in ["208", "20801", "2080109", "20899"] {
            assert!(lo.as_str() <= code && code < hi.as_str(), "{code}");
        }
        for code in ["207", "2079999", "209", "20900"] {
            assert!(!(lo.as_str() <= code && code < hi.as_str()), "{code}");
        }
        assert_eq!(prefix_range("20899").unwrap().1, "2089:");
        assert_eq!(prefix_range(""), None);
    }
}
