//! The tier columns (id, name, strategy) of scorers that assign each customer a tier in
//! Rust. Each customer's tier is a row of a small table holding every tier's texts once,
//! and the columns are one `take` from it: the customers' rows share the texts' bytes
//! instead of each holding a copy (a strategy is ~100 bytes, at a million customers).

use polars::prelude::*;

use super::{GroupColumns, ScoreContext};

/// The `group` id and name columns and `strategy` for customers whose tier is
/// `tiers[i]`, an index into `ids`; `None` gives nulls. `key` turns an id into its
/// playbook key.
pub fn tier_columns_taken(
    tiers: &[Option<usize>],
    ids: &[&str],
    key: &dyn Fn(&str) -> String,
    group: GroupColumns,
    ctx: &ScoreContext,
) -> PolarsResult<Vec<Column>> {
    let text = |of: &dyn Fn(&str) -> String| -> Vec<Option<String>> {
        ids.iter().map(|id| Some(of(id))).chain([None]).collect()
    };
    let mut table = DataFrame::new(
        ids.len() + 1,
        vec![
            Column::new(group.id.into(), text(&|id| id.to_string())),
            Column::new(
                group.label.into(),
                text(&|id| ctx.playbook.name(&key(id), ctx.lang)),
            ),
            Column::new(
                "strategy".into(),
                text(&|id| ctx.playbook.strategy(&key(id), ctx.lang)),
            ),
        ],
    )?;
    table.rechunk_mut();
    let none = ids.len() as IdxSize;
    let rows: IdxCa = tiers
        .iter()
        .map(|tier| tier.map_or(none, |t| t as IdxSize))
        .collect_ca("rows".into());
    Ok(table.take(&rows)?.into_columns())
}
