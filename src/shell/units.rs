//! Showing amounts in 元 or 万元, exactly.
//!
//! Amounts are `Decimal128(p, 2)` in 元. In 万元 the same integer is read with four more
//! decimal places: `Decimal128(p + 4, 6)`, so 2,875,129.00 元 is 287.512900 万元 with no
//! rounding and no floating point. Only decimal columns of scale 2 (amounts and their sums)
//! are converted; ratios and other decimals are left alone.

use std::str::FromStr;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Decimal128Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;

/// The unit amounts are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    #[default]
    Yuan,
    Wan,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Yuan => "yuan (元)",
            Unit::Wan => "wan (万元)",
        }
    }
}

impl FromStr for Unit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "yuan" | "元" => Ok(Unit::Yuan),
            "wan" | "万元" | "万" => Ok(Unit::Wan),
            other => Err(format!(
                "unknown unit '{other}': expected yuan (元) or wan (万元)"
            )),
        }
    }
}

/// Whether a column holds amounts in 元.
fn is_amount(dt: &DataType) -> bool {
    matches!(dt, DataType::Decimal128(_, 2))
}

/// The result with its amount columns in `unit`.
pub fn convert(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    unit: Unit,
) -> Result<(SchemaRef, Vec<RecordBatch>), ArrowError> {
    if unit == Unit::Yuan || !schema.fields().iter().any(|f| is_amount(f.data_type())) {
        return Ok((schema.clone(), batches.to_vec()));
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Decimal128(p, 2) => f
                .as_ref()
                .clone()
                .with_data_type(DataType::Decimal128((*p + 4).min(38), 6)),
            _ => f.as_ref().clone(),
        })
        .collect();
    let new_schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let mut out = Vec::with_capacity(batches.len());
    for batch in batches {
        let columns = batch
            .columns()
            .iter()
            .zip(new_schema.fields())
            .map(|(c, f)| -> Result<ArrayRef, ArrowError> {
                match (c.data_type(), f.data_type()) {
                    (DataType::Decimal128(_, 2), DataType::Decimal128(p, s)) => {
                        let a = c
                            .as_any()
                            .downcast_ref::<Decimal128Array>()
                            .ok_or_else(|| ArrowError::CastError("not a decimal".into()))?;
                        // Same integers, four more decimal places: exact division by 10,000.
                        Ok(Arc::new(a.clone().with_precision_and_scale(*p, *s)?))
                    }
                    _ => Ok(c.clone()),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push(RecordBatch::try_new(new_schema.clone(), columns)?);
    }
    Ok((new_schema, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

    #[test]
    fn wan_is_exact() {
        let schema = Arc::new(Schema::new(vec![Field::new(
            "total",
            DataType::Decimal128(18, 2),
            true,
        )]));
        let a = Decimal128Array::from(vec![Some(287_512_900), Some(970_000), None])
            .with_precision_and_scale(18, 2)
            .unwrap();
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(a)]).unwrap();
        let (s, b) = convert(&schema, &[batch], Unit::Wan).unwrap();
        assert_eq!(s.field(0).data_type(), &DataType::Decimal128(22, 6));
        let opts = FormatOptions::default();
        let f = ArrayFormatter::try_new(b[0].column(0).as_ref(), &opts).unwrap();
        assert_eq!(f.value(0).to_string(), "287.512900");
        assert_eq!(f.value(1).to_string(), "0.970000");
        assert!(b[0].column(0).is_null(2));
    }
}
