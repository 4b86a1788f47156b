//! The typed columns a scorer adds to every customer row. The declaration is what
//! `report --scores` and `--previous` type a tier file's text back by, what `tiering sql`
//! formats money by, and what the test build checks each scored frame against.

use polars::prelude::*;

/// What a column holds, as `score` writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// Money in minor units (a decimal with the currency's digits in files).
    Money,
    /// A whole number.
    Integer,
    /// A decimal number computed in floating point (shares, ratios, points).
    Float,
    /// Text: ids, codes, names, strategies.
    Text,
    /// `true` / `false`.
    Bool,
    /// A calendar date.
    Date,
}

impl ColumnType {
    /// Whether a scored frame's column of `dtype` holds this type. Money is a decimal or
    /// still minor units in an integer.
    fn admits(self, dtype: &DataType) -> bool {
        match self {
            ColumnType::Money => matches!(dtype, DataType::Decimal(..)) || dtype.is_integer(),
            ColumnType::Integer => dtype.is_integer(),
            ColumnType::Float => dtype.is_float(),
            ColumnType::Text => matches!(dtype, DataType::String),
            ColumnType::Bool => matches!(dtype, DataType::Boolean),
            ColumnType::Date => matches!(dtype, DataType::Date),
        }
    }
}

/// One output column of a scorer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputColumn {
    /// The column's name in files and frames.
    pub name: String,
    /// What it holds.
    pub kind: ColumnType,
}

impl OutputColumn {
    /// A column named `name` holding `kind`.
    pub fn new(name: impl Into<String>, kind: ColumnType) -> Self {
        OutputColumn {
            name: name.into(),
            kind,
        }
    }
}

/// Columns from fixed `(name, type)` pairs.
pub fn typed(pairs: &[(&str, ColumnType)]) -> Vec<OutputColumn> {
    pairs
        .iter()
        .map(|(name, kind)| OutputColumn::new(*name, *kind))
        .collect()
}

/// `tier_id`, `tier` and `strategy`: the last columns of every tiered scorer.
pub fn tier_columns() -> Vec<OutputColumn> {
    typed(&[
        ("tier_id", ColumnType::Text),
        ("tier", ColumnType::Text),
        ("strategy", ColumnType::Text),
    ])
}

/// The first declared column `frame` lacks or holds with another type, described; `None`
/// when the frame has every declared column as declared.
pub fn mismatch(frame: &DataFrame, declared: &[OutputColumn]) -> Option<String> {
    declared.iter().find_map(|c| match frame.column(&c.name) {
        Err(_) => Some(format!("declared column `{}` is missing", c.name)),
        Ok(column) if !c.kind.admits(column.dtype()) => Some(format!(
            "column `{}` is declared {:?} but holds {}",
            c.name,
            c.kind,
            column.dtype()
        )),
        Ok(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_is_checked_against_the_declaration() {
        let frame = df!("a" => [1i64], "b" => ["x"], "c" => [0.5f64]).unwrap();
        let declared = typed(&[
            ("a", ColumnType::Integer),
            ("b", ColumnType::Text),
            ("c", ColumnType::Float),
        ]);
        assert_eq!(mismatch(&frame, &declared), None);
        let wrong = typed(&[("c", ColumnType::Integer)]);
        assert_eq!(
            mismatch(&frame, &wrong).unwrap(),
            "column `c` is declared Integer but holds f64"
        );
        let absent = typed(&[("d", ColumnType::Bool)]);
        assert!(
            mismatch(&frame, &absent)
                .unwrap()
                .contains("`d` is missing")
        );
    }
}
