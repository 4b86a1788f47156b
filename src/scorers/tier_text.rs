//! The tier texts (id, name, strategy) of the scorers. Each customer's tier is a row of a
//! small table holding every tier's texts once, and a text column is one `take` from it:
//! the customers' rows share the texts' bytes instead of each holding a copy (a strategy
//! is ~100 bytes, at a million customers), and no row's text is written more than once.

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

/// `text(id)` for rows whose `column` (text) holds one of `ids`, null for any other value.
/// A chain of when/then wrote every row's text anew at each of its links.
pub fn text_by_id<S: AsRef<str>>(column: &str, ids: &[S], text: impl Fn(&str) -> String) -> Expr {
    let ids: Vec<String> = ids.iter().map(|id| id.as_ref().to_string()).collect();
    let mut table: StringChunked = ids.iter().map(|id| Some(text(id))).chain([None]).collect();
    table.rechunk_mut();
    col(column).map(
        move |values| {
            let values = values.str()?;
            let none = ids.len() as IdxSize;
            let rows: IdxCa = values
                .iter()
                .map(|value| {
                    value
                        .and_then(|value| ids.iter().position(|id| id == value))
                        .map_or(none, |i| i as IdxSize)
                })
                .collect_ca(PlSmallStr::EMPTY);
            let texts = table.take(&rows)?.with_name(values.name().clone());
            Ok(texts.into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::String)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_by_id_leave_unknown_and_missing_ids_null() {
        let frame =
            df!("id" => [Some("b"), None, Some("a"), Some("c"), Some("b "), Some("b")]).unwrap();
        let texts = frame
            .lazy()
            .select([text_by_id("id", &["a", "b"], |id| format!("text of {id}")).alias("t")])
            .collect()
            .unwrap();
        let texts: Vec<Option<&str>> = texts.column("t").unwrap().str().unwrap().iter().collect();
        assert_eq!(
            texts,
            [
                Some("text of b"),
                None,
                Some("text of a"),
                None,
                None,
                Some("text of b")
            ]
        );
    }
}
