//! Reading one table cell or prose figure as an exact amount.
//!
//! Owns the number grammar of the disclosures: thousands separators ("1,234.50"),
//! negatives printed as "(25)", "（25）" or "-25", full-width digits, and the cells that
//! mean "nothing printed" ("", "-", "—", "－", "/"). A blank cell is never a zero.

use std::str::FromStr;

use rust_decimal::Decimal;

/// What a table cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// Nothing printed.
    Empty,
    /// A dash or similar placeholder: explicitly no amount.
    Dash,
    /// An amount (or a bare code; the caller knows which columns hold codes).
    Number(Decimal),
    /// Anything else.
    Text,
}

/// Classifies a cell.
pub fn classify(cell: &str) -> CellValue {
    let t = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    if t.is_empty() {
        return CellValue::Empty;
    }
    if is_dash(t) {
        return CellValue::Dash;
    }
    match parse_amount(t) {
        Some(d) => CellValue::Number(d),
        None => CellValue::Text,
    }
}

fn is_dash(t: &str) -> bool {
    !t.is_empty()
        && t.chars()
            .all(|c| matches!(c, '-' | '—' | '－' | '–' | '―' | '/' | '／' | '─'))
}

/// Parses an amount as printed: "1,234.50", "1234", "(25)", "（25）", "-25", "０.９７".
/// Returns `None` for blanks, dashes, percentages, text and malformed groupings.
pub fn parse_amount(cell: &str) -> Option<Decimal> {
    match amount_shape(cell)? {
        AmountShape::Fits(d) => Some(d),
        AmountShape::TooLarge => None,
    }
}

fn amount_shape(cell: &str) -> Option<AmountShape> {
    let t = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    if t.is_empty() || is_dash(t) {
        return None;
    }
    // Normalise full-width digits and punctuation.
    let mut s = String::with_capacity(t.len());
    for c in t.chars() {
        let c = match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '，' => ',',
            '．' => '.',
            '（' => '(',
            '）' => ')',
            '－' | '−' => '-',
            _ => c,
        };
        s.push(c);
    }
    let mut negative = false;
    let mut body: &str = &s;
    if let Some(inner) = body.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
        negative = true;
        body = inner.trim();
    } else if let Some(inner) = body.strip_prefix('-') {
        negative = true;
        body = inner.trim_start();
    }
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if int_part.is_empty() {
        return None;
    }
    if let Some(f) = frac_part
        && (f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    // Integer part: plain digits, or groups of three separated by commas.
    if int_part.contains(',') {
        let groups: Vec<&str> = int_part.split(',').collect();
        let first = groups.first().copied().unwrap_or("");
        if first.is_empty()
            || first.len() > 3
            || !first.bytes().all(|b| b.is_ascii_digit())
            || groups[1..]
                .iter()
                .any(|g| g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
    } else if !int_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut plain: String = int_part.chars().filter(|c| *c != ',').collect();
    if plain.len() > MAX_INTEGER_DIGITS || frac_part.is_some_and(|f| f.len() > MAX_DECIMALS) {
        return Some(AmountShape::TooLarge);
    }
    if let Some(f) = frac_part {
        plain.push('.');
        plain.push_str(f);
    }
    let d = Decimal::from_str(&plain).ok()?;
    Some(AmountShape::Fits(if negative { -d } else { d }))
}

/// Beyond 15 integer digits no amount fits `Decimal128(18, 2)` in 元 (nor in 万元 once
/// converted); more than 8 decimals is no printed amount's precision.
const MAX_INTEGER_DIGITS: usize = 15;
const MAX_DECIMALS: usize = 8;

/// Whether a cell is printed as an amount (digits, thousands separators, a decimal point)
/// but has more digits than any amount the lake stores: it cannot be read exactly, and the
/// caller reports it rather than passing over it as text.
///
/// Only a number written as an amount counts (a decimal point or thousands separators): a
/// bare run of 16 or more digits is an account or an identifier, not money.
///
/// A number in scientific notation (`1e308`, `2.5E+20`) is no printed amount either: it
/// cannot be exact to the fen, so it is reported the same way.
pub fn oversized_amount(cell: &str) -> bool {
    (cell.contains(['.', ',', '．', '，'])
        && matches!(amount_shape(cell), Some(AmountShape::TooLarge)))
        || is_scientific(cell.trim())
}

/// `1e308`, `-2.5E+20`: digits, an optional fraction, and an exponent.
fn is_scientific(t: &str) -> bool {
    let t = t.strip_prefix('-').unwrap_or(t);
    let Some((mantissa, exponent)) = t.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((i, f)) => digits(i) && digits(f),
        None => digits(mantissa),
    };
    mantissa_ok && digits(exponent)
}

/// A cell read as an amount: its value, or too many digits for one.
enum AmountShape {
    Fits(Decimal),
    TooLarge,
}

/// True when a cell is a bare run of ASCII digits (a code, or an integer amount: the
/// caller decides by column position).
pub fn is_digits(cell: &str) -> bool {
    let t = cell.trim();
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn too_many_digits_is_no_amount_but_is_reported() {
        assert_eq!(parse_amount("123456789012345678901234567890.00"), None);
        assert!(oversized_amount("123456789012345678901234567890.00"));
        assert!(oversized_amount("1,234,567,890,123,456.00"));
        assert!(oversized_amount("1.123456789"));
        // An account number is not an amount at all.
        assert!(!oversized_amount("6228480012345678901"));
        assert!(!oversized_amount("1,234.56"));
        assert!(!oversized_amount("经费"));
        assert!(oversized_amount("1e308"));
        assert!(oversized_amount("-2.5E+20"));
        assert!(!oversized_amount("e3"));
        assert!(!oversized_amount("2e"));
    }

    #[test]
    fn parses_printed_forms() {
        assert_eq!(parse_amount("1,234.50"), Some(d("1234.50")));
        assert_eq!(parse_amount("3,162,923.00"), Some(d("3162923.00")));
        assert_eq!(parse_amount("1234"), Some(d("1234")));
        assert_eq!(parse_amount("0"), Some(d("0")));
        assert_eq!(parse_amount("0.97"), Some(d("0.97")));
        assert_eq!(parse_amount("(25)"), Some(d("-25")));
        assert_eq!(parse_amount("（25）"), Some(d("-25")));
        assert_eq!(parse_amount("-25.5"), Some(d("-25.5")));
        assert_eq!(parse_amount(" ９,７００.００ "), Some(d("9700.00")));
        assert_eq!(parse_amount("-"), None);
        assert_eq!(parse_amount("—"), None);
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("3%"), None);
        assert_eq!(parse_amount("37637元"), None);
        assert_eq!(parse_amount("1,23"), None);
        assert_eq!(parse_amount("12,3456"), None);
        assert_eq!(parse_amount("1."), None);
        assert_eq!(parse_amount("."), None);
        assert_eq!(parse_amount("()"), None);
        assert_eq!(parse_amount("99999999999999999999999999"), None);
    }

    #[test]
    fn classifies_cells() {
        assert_eq!(classify(""), CellValue::Empty);
        assert_eq!(classify("  "), CellValue::Empty);
        assert_eq!(classify("-"), CellValue::Dash);
        assert_eq!(classify("—"), CellValue::Dash);
        assert_eq!(classify("合计"), CellValue::Text);
        assert_eq!(classify("(25)"), CellValue::Number(d("-25")));
    }
}
