//! Profit's tiers, on the collected frame: the purchasers that make a profit in order of
//! score (descending, ties by customer_id) are cut by share of customers, with the same
//! crossing rule as Pareto by count; every other row gets `loss_making` (the
//! non-purchasers' texts are replaced afterwards). Ties go by the rows' positions in id
//! order ([`id_positions`]): the row numbers when the rows come in id order, as the
//! metrics do.

use std::cmp::Reverse;

use polars::prelude::*;
use rayon::prelude::*;

use super::super::pareto::{class_key, class_letter};
use super::super::tier_text::tier_columns_taken;
use super::super::{ScoreContext, TIER_GROUP};
use crate::arrays::int64_values;
use crate::customer_order::id_positions;
use crate::input::lines::col_names::CUSTOMER_ID;

/// `frame` with `loss_making`, `tier_id`, `tier` and `strategy`; `score` names its score
/// column (an integer, higher is better).
pub fn with_tiers(
    mut frame: DataFrame,
    score: &str,
    cuts: &[u32],
    ctx: &ScoreContext,
) -> PolarsResult<DataFrame> {
    let ints = |name: &str| int64_values(&frame, name);
    let (orders, profit, scores) = (ints("orders")?, ints("profit")?, ints(score)?);
    let ids: Vec<Option<&str>> = frame.column(CUSTOMER_ID)?.str()?.iter().collect();
    let eligible =
        |row: usize| orders[row].is_some_and(|o| o > 0) && profit[row].is_some_and(|p| p >= 0);
    // Nulls first, then the score descending, as polars sorts.
    let score_key = |row: usize| scores[row].map_or((0u8, Reverse(0)), |s| (1, Reverse(s)));
    let positions = id_positions(&ids);
    let mut order: Vec<usize> = (0..frame.height()).filter(|&row| eligible(row)).collect();
    order.par_sort_unstable_by_key(|&row| (score_key(row), positions[row]));
    let classes = cuts.len() + 1;
    let n = order.len() as i64;
    let mut tiers = vec![Some(classes); frame.height()];
    // The rank counts the rows with an id, as polars' `cum_count` of customer_id.
    let mut rank = 0i64;
    for row in order {
        rank += i64::from(ids[row].is_some());
        let before = rank - 1;
        let class = cuts
            .iter()
            .filter(|&&cut| before * 10_000 >= n * i64::from(cut))
            .count();
        tiers[row] = Some(class);
    }
    let loss_making: BooleanChunked = profit.iter().map(|p| p.map(|p| p < 0)).collect();
    drop(ids);
    let letters: Vec<String> = (0..classes)
        .map(class_letter)
        .chain(["loss_making".to_string()])
        .collect();
    let letters: Vec<&str> = letters.iter().map(String::as_str).collect();
    let texts = tier_columns_taken(&tiers, &letters, &class_key, TIER_GROUP, ctx)?;
    frame.with_column(loss_making.with_name("loss_making".into()).into_column())?;
    frame.hstack_mut(&texts)?;
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorers::ScorerSettings;

    /// id, orders, profit, score.
    type Row = (&'static str, i64, i64, i64);

    fn tiers_of(rows: &[Row], cuts: &[u32]) -> Vec<(String, String)> {
        let frame = df!(
            CUSTOMER_ID => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "orders" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "profit" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "score" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        )
        .unwrap();
        let ctx = ScoreContext::new(ScorerSettings::defaults(), 0, 2, Vec::new());
        let tiered = with_tiers(frame, "score", cuts, &ctx).unwrap();
        let column = |name: &str| -> Vec<String> {
            let values = tiered.column(name).unwrap().str().unwrap();
            values.iter().map(|v| v.unwrap().to_string()).collect()
        };
        let mut tiers: Vec<(String, String)> = column(CUSTOMER_ID)
            .into_iter()
            .zip(column("tier_id"))
            .collect();
        tiers.sort();
        tiers
    }

    #[test]
    fn cuts_by_count_with_ties_by_customer_id_in_any_row_order() {
        // Eight profitable purchasers; cuts at 25 % and 50 %: positions 1-2 are A,
        // 3-4 B, 5-8 C. c2 and c1 tie on 70 (c2 first in the rows), so c1 (position 2)
        // is A and c2 (3) is B; c9 makes a loss, c0 has no purchase.
        let rows: [Row; 10] = [
            ("c5", 1, 10, 90),
            ("c2", 1, 0, 70),
            ("c1", 2, 10, 70),
            ("c3", 1, 10, 50),
            ("c4", 1, 10, 40),
            ("c6", 1, 10, 40),
            ("c7", 1, 10, 10),
            ("c8", 1, 10, 5),
            ("c9", 1, -1, 99),
            ("c0", 0, 0, 0),
        ];
        let expected: Vec<(String, String)> = [
            ("c0", "loss_making"),
            ("c1", "A"),
            ("c2", "B"),
            ("c3", "B"),
            ("c4", "C"),
            ("c5", "A"),
            ("c6", "C"),
            ("c7", "C"),
            ("c8", "C"),
            ("c9", "loss_making"),
        ]
        .map(|(id, tier)| (id.to_string(), tier.to_string()))
        .to_vec();
        let cuts = [2_500, 5_000];
        assert_eq!(tiers_of(&rows, &cuts), expected);
        let mut in_id_order = rows;
        in_id_order.sort();
        assert_eq!(tiers_of(&in_id_order, &cuts), expected);
    }
}
