//! The machinery the classification functions share: which argument types they take, and
//! the kernels that apply a per-code computation to every string layout DataFusion hands
//! them (Utf8, LargeUtf8, Utf8View, `Dictionary(_, Utf8…)`, integers), to arrays and to
//! scalars alike.
//!
//! Output keeps the input's layout: Utf8 in -> Utf8 out, Utf8View -> Utf8View, a dictionary
//! -> a dictionary with the same keys whose values are computed once per distinct value.
//! Integer codes (`208`) are read as their decimal digits and give Utf8. The hot path does
//! not allocate per row: each kernel writes into one reused `String` and a builder sized
//! up front.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, GenericStringArray, GenericStringBuilder, Int32Builder, Int64Array,
    OffsetSizeTrait, StringViewArray, StringViewBuilder,
};
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{DataFusionError, Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::ColumnarValue;

use crate::catalog::{Classification, CodeError, parse_level};

/// Whether a type is one of Arrow's string layouts.
pub(crate) fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// The type a code argument is coerced to: strings and string dictionaries as they are
/// (no cast, so a column stays a column and Parquet pruning still sees it), integers to
/// Int64, NULL to Utf8.
pub(crate) fn coerce_code(fn_name: &str, t: &DataType) -> Result<DataType> {
    match t {
        t if is_string(t) => Ok(t.clone()),
        DataType::Dictionary(_, v) if is_string(v) => Ok(t.clone()),
        DataType::Dictionary(_, v) => coerce_code(fn_name, v),
        DataType::Null => Ok(DataType::Utf8),
        t if t.is_integer() => Ok(DataType::Int64),
        other => {
            plan_err!("{fn_name}: a classification code is a string or an integer, got {other}")
        }
    }
}

/// The type of a level argument: an integer (1, 2, 3) or a string ('类', '款', '项').
pub(crate) fn coerce_level(fn_name: &str, t: &DataType) -> Result<DataType> {
    match t {
        DataType::Null => Ok(DataType::Int64),
        t if t.is_integer() => Ok(DataType::Int64),
        t if is_string(t) => Ok(DataType::Utf8),
        DataType::Dictionary(_, v) if is_string(v) => Ok(DataType::Utf8),
        other => plan_err!("{fn_name}: the level is 1, 2, 3 or '类', '款', '项', got a {other}"),
    }
}

/// Coerces the arguments of a `(code [, year])` function: `func_name`, `func_path`, ….
pub(crate) fn coerce_code_and_year(name: &str, arg_types: &[DataType]) -> Result<Vec<DataType>> {
    check_arity(name, arg_types, 1, 2)?;
    let mut types = vec![coerce_code(name, &arg_types[0])?];
    if let Some(year) = arg_types.get(1) {
        types.push(coerce_year(name, year)?);
    }
    Ok(types)
}

/// The type of a year argument: any integer, as Int64.
pub(crate) fn coerce_year(fn_name: &str, t: &DataType) -> Result<DataType> {
    match t {
        DataType::Null => Ok(DataType::Int64),
        t if t.is_integer() => Ok(DataType::Int64),
        DataType::Dictionary(_, v) if v.is_integer() => Ok(DataType::Int64),
        other => plan_err!("{fn_name}: the year is an integer such as 2021, got {other}"),
    }
}

/// Checks the number of arguments.
pub(crate) fn check_arity(fn_name: &str, types: &[DataType], min: usize, max: usize) -> Result<()> {
    if (min..=max).contains(&types.len()) {
        return Ok(());
    }
    let expected = if min == max {
        format!("{min}")
    } else {
        format!("{min} or {max}")
    };
    plan_err!(
        "{fn_name} takes {expected} argument(s), got {}",
        types.len()
    )
}

/// The type a string-valued function returns for a (coerced) code type.
pub(crate) fn string_return_type(code_type: &DataType) -> DataType {
    match code_type {
        DataType::Int64 => DataType::Utf8,
        other => other.clone(),
    }
}

/// A code error as a DataFusion execution error, prefixed with the function's name.
pub(crate) fn code_error(fn_name: &str, e: CodeError) -> DataFusionError {
    DataFusionError::Execution(format!("{fn_name}: {e}"))
}

/// The constant level argument of a roll-up, `None` for NULL.
pub(crate) fn level_arg(
    fn_name: &str,
    class: Classification,
    arg: &ColumnarValue,
) -> Result<Option<u8>> {
    let ColumnarValue::Scalar(scalar) = arg else {
        return exec_err!(
            "{fn_name}: the level must be a constant ({}), not a column",
            level_choices(class)
        );
    };
    if scalar.is_null() {
        return Ok(None);
    }
    let text = match scalar {
        ScalarValue::Int64(Some(v)) => v.to_string(),
        other => other.to_string(),
    };
    match parse_level(class, &text) {
        Some(level) => Ok(Some(level)),
        None => exec_err!(
            "{fn_name}: level {text} is not one of {}",
            level_choices(class)
        ),
    }
}

/// The levels a tree has, for error messages.
pub(crate) fn level_choices(class: Classification) -> &'static str {
    match class {
        Classification::Function => "1, 2, 3 or '类', '款', '项'",
        Classification::Economic => "1, 2 or '类', '款'",
    }
}

/// Applies `f` to a code argument, array or scalar. `f` sees each code once (each distinct
/// value once for a dictionary) and writes its result into the `String` it is given,
/// returning `false` for NULL. NULL codes give NULL without calling `f`.
pub(crate) fn map_codes<F>(arg: &ColumnarValue, f: F) -> Result<ColumnarValue>
where
    F: FnMut(&str, &mut String) -> Result<bool>,
{
    on_columnar(arg, |array| map_strings(array, f))
}

/// Like [`map_codes`] for an Int32 result (the level).
pub(crate) fn map_codes_to_i32<F>(arg: &ColumnarValue, f: F) -> Result<ColumnarValue>
where
    F: FnMut(&str) -> Result<Option<i32>>,
{
    on_columnar(arg, |array| map_to_i32(array, f))
}

/// Like [`map_codes`] when the result depends on the row as well (a year column): `f`
/// receives the row index. A dictionary is unpacked, computed row by row and packed again
/// into the same dictionary type.
pub(crate) fn map_codes_by_row<F>(
    arg: &ColumnarValue,
    number_rows: usize,
    mut f: F,
) -> Result<ColumnarValue>
where
    F: FnMut(usize, &str, &mut String) -> Result<bool>,
{
    let array = arg.to_array(number_rows)?;
    let out = match array.data_type() {
        DataType::Dictionary(_, values) => {
            let plain = cast(&array, values)?;
            let out = map_plain(&plain, &mut f)?;
            cast(&out, array.data_type())?
        }
        _ => map_plain(&array, &mut f)?,
    };
    Ok(ColumnarValue::Array(out))
}

/// The optional year argument of `*_name` and `*_path`.
pub(crate) enum Year<'a> {
    /// No year given: the newest name.
    Newest,
    /// A constant year.
    Constant(i32),
    /// A NULL year: the result is NULL.
    Null,
    /// A year per row (`fiscal_year`).
    Column(&'a Int64Array),
}

impl<'a> Year<'a> {
    /// Reads the year argument (`args[1]`, if any); years are coerced to Int64.
    pub(crate) fn from_args(fn_name: &str, args: &'a [ColumnarValue]) -> Result<Year<'a>> {
        match args.get(1) {
            None => Ok(Year::Newest),
            Some(ColumnarValue::Scalar(s)) if s.is_null() => Ok(Year::Null),
            Some(ColumnarValue::Scalar(ScalarValue::Int64(Some(y)))) => {
                Ok(Year::Constant(year_i32(fn_name, *y)?))
            }
            Some(ColumnarValue::Array(a)) if a.data_type() == &DataType::Int64 => {
                Ok(Year::Column(a.as_primitive::<Int64Type>()))
            }
            Some(other) => exec_err!(
                "{fn_name}: the year is an integer such as 2021, got {}",
                other.data_type()
            ),
        }
    }
}

fn year_i32(fn_name: &str, year: i64) -> Result<i32> {
    i32::try_from(year).or_else(|_| exec_err!("{fn_name}: year {year} is out of range"))
}

/// Applies `f(code, year, out)` to a code argument in a year: once per distinct code when
/// the year is constant, row by row when it is a column.
pub(crate) fn map_codes_in_year<F>(
    fn_name: &str,
    code: &ColumnarValue,
    year: Year,
    number_rows: usize,
    mut f: F,
) -> Result<ColumnarValue>
where
    F: FnMut(&str, Option<i32>, &mut String) -> Result<bool>,
{
    match year {
        Year::Newest => map_codes(code, |c, out| f(c, None, out)),
        Year::Constant(y) => map_codes(code, |c, out| f(c, Some(y), out)),
        Year::Null => map_codes(code, |_, _| Ok(false)),
        Year::Column(years) => map_codes_by_row(code, number_rows, |row, c, out| {
            if years.is_null(row) {
                return Ok(false);
            }
            f(c, Some(year_i32(fn_name, years.value(row))?), out)
        }),
    }
}

/// Runs an array kernel on an array or on a scalar (as a one-row array).
pub(crate) fn on_columnar(
    arg: &ColumnarValue,
    kernel: impl FnOnce(&ArrayRef) -> Result<ArrayRef>,
) -> Result<ColumnarValue> {
    match arg {
        ColumnarValue::Array(array) => Ok(ColumnarValue::Array(kernel(array)?)),
        ColumnarValue::Scalar(scalar) => {
            let out = kernel(&scalar.to_array()?)?;
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        }
    }
}

/// A string kernel over any layout, dictionaries computed on their values.
fn map_strings<F>(array: &ArrayRef, mut f: F) -> Result<ArrayRef>
where
    F: FnMut(&str, &mut String) -> Result<bool>,
{
    if matches!(array.data_type(), DataType::Dictionary(_, _)) {
        let dict = array.as_any_dictionary();
        let mut failed = Vec::new();
        let values = map_plain(dict.values(), &mut |i, code, out| {
            f(code, out).or_else(|e| {
                failed.push((i, e));
                Ok(false)
            })
        })?;
        raise_if_used(dict.keys(), &dict.normalized_keys(), failed)?;
        return Ok(dict.with_values(values));
    }
    map_plain(array, &mut |_, code, out| f(code, out))
}

/// An Int32 kernel over any layout; a dictionary is computed on its values and then
/// expanded through its keys (an Int32 result is not kept as a dictionary).
fn map_to_i32<F>(array: &ArrayRef, mut f: F) -> Result<ArrayRef>
where
    F: FnMut(&str) -> Result<Option<i32>>,
{
    if matches!(array.data_type(), DataType::Dictionary(_, _)) {
        let dict = array.as_any_dictionary();
        let mut failed = Vec::new();
        let values = i32_plain(dict.values(), &mut |i, code| {
            f(code).or_else(|e| {
                failed.push((i, e));
                Ok(None)
            })
        })?;
        raise_if_used(dict.keys(), &dict.normalized_keys(), failed)?;
        return Ok(take(values.as_ref(), dict.keys(), None)?);
    }
    i32_plain(array, &mut |_, code| f(code))
}

/// A dictionary may hold values no row uses (after a filter): an error on such a value is
/// no error of the query. Raises the first error whose value a valid row refers to.
fn raise_if_used(
    keys: &dyn Array,
    normalized: &[usize],
    failed: Vec<(usize, DataFusionError)>,
) -> Result<()> {
    if failed.is_empty() {
        return Ok(());
    }
    let mut used = vec![false; normalized.iter().max().map_or(0, |m| m + 1)];
    for (row, &k) in normalized.iter().enumerate() {
        if keys.is_valid(row) {
            used[k] = true;
        }
    }
    match failed
        .into_iter()
        .find(|(value, _)| used.get(*value).copied().unwrap_or(false))
    {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// A string kernel over a plain (not dictionary) array: Utf8, LargeUtf8, Utf8View, or
/// Int64 codes (read as digits, giving Utf8).
fn map_plain<F>(array: &ArrayRef, f: &mut F) -> Result<ArrayRef>
where
    F: FnMut(usize, &str, &mut String) -> Result<bool>,
{
    match array.data_type() {
        DataType::Utf8 => generic_strings(array.as_string::<i32>(), f),
        DataType::LargeUtf8 => generic_strings(array.as_string::<i64>(), f),
        DataType::Utf8View => view_strings(array.as_string_view(), f),
        t if t.is_integer() => {
            let digits = cast(array, &DataType::Utf8)?;
            generic_strings(digits.as_string::<i32>(), f)
        }
        other => exec_err!("a classification code is a string or an integer, got {other}"),
    }
}

fn generic_strings<O, F>(input: &GenericStringArray<O>, f: &mut F) -> Result<ArrayRef>
where
    O: OffsetSizeTrait,
    F: FnMut(usize, &str, &mut String) -> Result<bool>,
{
    // Results are never longer than a code's name path; the input's size is a fair start.
    let mut builder =
        GenericStringBuilder::<O>::with_capacity(input.len(), input.value_data().len());
    let mut out = String::with_capacity(64);
    for i in 0..input.len() {
        if input.is_null(i) {
            builder.append_null();
            continue;
        }
        out.clear();
        if f(i, input.value(i), &mut out)? {
            builder.append_value(&out);
        } else {
            builder.append_null();
        }
    }
    Ok(Arc::new(builder.finish()))
}

fn view_strings<F>(input: &StringViewArray, f: &mut F) -> Result<ArrayRef>
where
    F: FnMut(usize, &str, &mut String) -> Result<bool>,
{
    let mut builder = StringViewBuilder::with_capacity(input.len());
    let mut out = String::with_capacity(64);
    for i in 0..input.len() {
        if input.is_null(i) {
            builder.append_null();
            continue;
        }
        out.clear();
        if f(i, input.value(i), &mut out)? {
            builder.append_value(&out);
        } else {
            builder.append_null();
        }
    }
    Ok(Arc::new(builder.finish()))
}

fn i32_plain<F>(array: &ArrayRef, f: &mut F) -> Result<ArrayRef>
where
    F: FnMut(usize, &str) -> Result<Option<i32>>,
{
    let mut builder = Int32Builder::with_capacity(array.len());
    let mut each = |i: usize, code: Option<&str>| -> Result<()> {
        match code {
            Some(code) => builder.append_option(f(i, code)?),
            None => builder.append_null(),
        }
        Ok(())
    };
    match array.data_type() {
        DataType::Utf8 => {
            for (i, code) in array.as_string::<i32>().iter().enumerate() {
                each(i, code)?;
            }
        }
        DataType::LargeUtf8 => {
            for (i, code) in array.as_string::<i64>().iter().enumerate() {
                each(i, code)?;
            }
        }
        DataType::Utf8View => {
            for (i, code) in array.as_string_view().iter().enumerate() {
                each(i, code)?;
            }
        }
        t if t.is_integer() => {
            let digits = cast(array, &DataType::Utf8)?;
            for (i, code) in digits.as_string::<i32>().iter().enumerate() {
                each(i, code)?;
            }
        }
        other => return exec_err!("a classification code is a string or an integer, got {other}"),
    }
    Ok(Arc::new(builder.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{DictionaryArray, Int32Array, StringArray};
    use datafusion::arrow::datatypes::Int32Type;

    fn dictionary(values: &[&str], keys: &[Option<i32>]) -> ArrayRef {
        let keys = Int32Array::from(keys.to_vec());
        let values = Arc::new(StringArray::from(values.to_vec()));
        Arc::new(DictionaryArray::<Int32Type>::try_new(keys, values).expect("valid dictionary"))
    }

    #[test]
    fn dictionary_stays_a_dictionary_and_each_value_is_computed_once() {
        let array = dictionary(
            &["2080109", "2101101"],
            &[Some(0), Some(1), Some(0), None, Some(0)],
        );
        let mut calls = 0;
        let out = map_codes(&ColumnarValue::Array(array), |code, out| {
            calls += 1;
            out.push_str(&code[..3]);
            Ok(true)
        })
        .expect("computes")
        .to_array(5)
        .expect("an array");
        assert_eq!(calls, 2);
        assert_eq!(
            out.data_type(),
            &DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
        );
        let dict = out.as_dictionary::<Int32Type>();
        assert_eq!(
            dict.keys(),
            &Int32Array::from(vec![Some(0), Some(1), Some(0), None, Some(0)])
        );
        let values: Vec<_> = dict.values().as_string::<i32>().iter().collect();
        assert_eq!(values, vec![Some("208"), Some("210")]);
    }

    #[test]
    fn an_unused_bad_dictionary_value_is_no_error() {
        let array = dictionary(&["2081", "208"], &[Some(1), None]);
        let fail_on_bad = |code: &str, out: &mut String| {
            if code.len() == 4 {
                return exec_err!("bad {code}");
            }
            out.push_str(code);
            Ok(true)
        };
        assert!(map_codes(&ColumnarValue::Array(array), fail_on_bad).is_ok());
        let used = dictionary(&["2081", "208"], &[Some(1), Some(0)]);
        assert!(map_codes(&ColumnarValue::Array(used), fail_on_bad).is_err());
    }

    #[test]
    fn levels_of_a_dictionary_are_plain_int32() {
        let array = dictionary(&["208", "20801"], &[Some(1), Some(0), None]);
        let mut calls = 0;
        let out = map_codes_to_i32(&ColumnarValue::Array(array), |code| {
            calls += 1;
            Ok(Some(code.len() as i32))
        })
        .expect("computes")
        .to_array(3)
        .expect("an array");
        assert_eq!(calls, 2);
        assert_eq!(
            out.as_primitive::<Int32Type>(),
            &Int32Array::from(vec![Some(5), Some(3), None])
        );
    }

    #[test]
    fn views_and_scalars_keep_their_type() {
        let view: ArrayRef = Arc::new(StringViewArray::from(vec![Some("2080109"), None]));
        let out = map_codes(&ColumnarValue::Array(view), |c, o| {
            o.push_str(&c[..3]);
            Ok(true)
        })
        .expect("computes")
        .to_array(2)
        .expect("an array");
        assert_eq!(out.data_type(), &DataType::Utf8View);
        assert!(out.is_null(1));
        let scalar = ColumnarValue::Scalar(ScalarValue::LargeUtf8(Some("20801".into())));
        let out = map_codes(&scalar, |c, o| {
            o.push_str(&c[..3]);
            Ok(true)
        })
        .expect("computes");
        let ColumnarValue::Scalar(ScalarValue::LargeUtf8(Some(s))) = out else {
            panic!("a LargeUtf8 scalar, got {out:?}");
        };
        assert_eq!(s, "208");
    }
}
