//! Tier migration between an earlier snapshot and this run: the from → to matrix
//! (customers and revenue) and who was promoted, demoted, is new or is gone.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use super::Money;
use super::previous::{Snapshot, Standing};
use crate::error::TieringError;
use crate::scorers::rfm::proves_other_bins;
use crate::scorers::segments::NO_PURCHASE;

/// Row id of customers absent from the earlier snapshot.
pub const NEW: &str = "(new)";
/// Column id of customers absent from this run.
pub const GONE: &str = "(gone)";

/// Migration, or why there is none.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MigrationSection {
    /// Compared with an earlier snapshot.
    Available(Box<Migration>),
    /// Not compared.
    Unavailable {
        /// Why (no --previous given).
        reason: String,
    },
}

/// One cell of the matrix.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Flow {
    /// Customers moving from the row's tier to the column's.
    pub customers: u64,
    /// Their revenue now (for `(gone)`: then).
    pub revenue: Money,
}

/// One row of the matrix: the customers of one earlier tier.
#[derive(Clone, Debug, Serialize)]
pub struct MatrixRow {
    /// Earlier tier id, or `(new)`.
    pub from: String,
    /// Its display name.
    pub from_name: String,
    /// One cell per column of [`Migration::columns`].
    pub cells: Vec<Flow>,
}

/// A tier (row or column heading).
#[derive(Clone, Debug, Serialize)]
pub struct TierLabel {
    /// Id, or `(new)` / `(gone)`.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// One customer who moved.
#[derive(Clone, Debug, Serialize)]
pub struct Mover {
    /// The customer.
    pub customer_id: String,
    /// Earlier tier id (none: new).
    pub from: Option<Arc<str>>,
    /// Earlier tier name.
    pub from_name: Option<Arc<str>>,
    /// Tier id now (none: gone).
    pub to: Option<Arc<str>>,
    /// Tier name now.
    pub to_name: Option<Arc<str>>,
    /// Revenue then.
    pub revenue_before: Option<Money>,
    /// Revenue now.
    pub revenue_after: Option<Money>,
    /// Purchases then.
    pub orders_before: Option<i64>,
    /// Purchases now.
    pub orders_after: Option<i64>,
    /// Recency then, days.
    pub recency_before: Option<i64>,
    /// Recency now, days.
    pub recency_after: Option<i64>,
}

/// How many customers did what.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct MoveCounts {
    /// Same tier.
    pub stayed: u64,
    /// To a better tier.
    pub promoted: u64,
    /// To a worse tier.
    pub demoted: u64,
    /// Not in the earlier snapshot.
    pub new: u64,
    /// Not in this run.
    pub gone: u64,
}

/// The comparison with an earlier snapshot.
#[derive(Clone, Debug, Serialize)]
pub struct Migration {
    /// Where the earlier tiers came from.
    pub previous: String,
    /// Their as-of date, when known.
    pub previous_as_of: Option<String>,
    /// Matrix columns: this run's tiers, best first, then `(gone)`.
    pub columns: Vec<TierLabel>,
    /// Matrix rows: the earlier tiers, best first, then `(new)`.
    pub rows: Vec<MatrixRow>,
    /// Counts per kind of move.
    pub counts: MoveCounts,
    /// To a better tier, by revenue now (largest first).
    pub promoted: Vec<Mover>,
    /// To a worse tier, by revenue now.
    pub demoted: Vec<Mover>,
    /// New customers, by revenue now.
    pub new: Vec<Mover>,
    /// Customers no longer present, by revenue then.
    pub gone: Vec<Mover>,
}

/// What the current run is, for the comparability check.
pub struct CurrentRun<'a> {
    /// Scorer name.
    pub scorer: &'a str,
    /// Its options.
    pub options: &'a str,
    /// Tier ids by value rank, best first: moving up is a promotion.
    pub order: &'a [String],
    /// Quantile bins, for a scorer that scores in bins (a file from before the
    /// options column is checked by its highest scores).
    pub bins: Option<u32>,
    /// The groups a fitted model formed in this run (k-means), when they are not fixed
    /// by the settings: an earlier run is comparable only if it formed the same ones.
    pub formed: Option<&'a [String]>,
    /// Names of the tier ids, in the report's language.
    pub names: &'a BTreeMap<String, String>,
    /// Minor-unit digits.
    pub decimals: u32,
}

/// Refuse a comparison of unlike things: another scorer, other options or unknown tiers.
pub fn check_comparable(previous: &Snapshot, current: &CurrentRun<'_>) -> Result<(), TieringError> {
    let source = &previous.source;
    let hint = || {
        Some(format!(
            "compare runs of the same scorer and options, or drop --previous (this run: {}, {})",
            current.scorer, current.options
        ))
    };
    if let Some(scorer) = &previous.scorer
        && scorer != current.scorer
    {
        return Err(TieringError::usage(
            format!(
                "--previous `{source}` holds {scorer} tiers; this report scores with {}",
                current.scorer
            ),
            hint(),
        ));
    }
    if let Some(options) = &previous.options
        && options != current.options
    {
        return Err(TieringError::usage(
            format!(
                "--previous `{source}` was scored with other options ({options}; now {})",
                current.options
            ),
            hint(),
        ));
    }
    if previous.options.is_none()
        && let Some(bins) = current.bins
        && let Some((max_score, max_m)) = previous.max_scores
    {
        let revenues: Vec<i64> = previous
            .customers
            .values()
            .filter(|s| s.orders.unwrap_or(0) > 0)
            .filter_map(|s| s.revenue)
            .collect();
        if proves_other_bins(&revenues, max_score, max_m, bins) {
            return Err(TieringError::usage(
                format!(
                    "--previous `{source}` was scored with other bins (scores up to {max_score}; now {bins} bins)"
                ),
                hint(),
            ));
        }
    }
    if let Some(formed) = current.formed {
        let now: BTreeSet<&str> = formed
            .iter()
            .map(String::as_str)
            .filter(|id| *id != NO_PURCHASE)
            .collect();
        let then: BTreeSet<&str> = previous
            .tier_ids()
            .into_iter()
            .filter(|id| *id != NO_PURCHASE)
            .collect();
        if now != then {
            return Err(TieringError::usage(
                format!(
                    "the earlier tiers ({source}) have the groups {}; this run formed {}: groups of a fitted model are numbered within each fit, so only runs that form the same groups compare",
                    then.into_iter().collect::<Vec<_>>().join(", "),
                    now.into_iter().collect::<Vec<_>>().join(", ")
                ),
                Some("compare runs that form the same clusters: one fixed --k, and purchasers enough for every cluster at both dates".into()),
            ));
        }
    }
    let unknown: Vec<&str> = previous
        .tier_ids()
        .into_iter()
        .filter(|id| !current.order.iter().any(|o| o == id))
        .collect();
    if !unknown.is_empty() {
        return Err(TieringError::usage(
            format!(
                "--previous `{source}` has tiers this run does not: {}",
                unknown.join(", ")
            ),
            hint(),
        ));
    }
    Ok(())
}

/// Compare `previous` with `now` (both by customer_id).
pub fn compare(previous: &Snapshot, now: &Snapshot, current: &CurrentRun<'_>) -> Migration {
    let order = current.order;
    let rank = |id: &str| order.iter().position(|o| o == id).unwrap_or(order.len());
    let name = |id: &str| {
        current
            .names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    let money = |units: Option<i64>| units.map(|u| Money::new(u, current.decimals));
    let mut columns: Vec<TierLabel> = order
        .iter()
        .map(|id| TierLabel {
            id: id.clone(),
            name: name(id),
        })
        .collect();
    columns.push(TierLabel {
        id: GONE.into(),
        name: GONE.into(),
    });
    let zero = Flow {
        customers: 0,
        revenue: Money::new(0, current.decimals),
    };
    let mut rows: Vec<MatrixRow> = order
        .iter()
        .map(|id| TierLabel {
            id: id.clone(),
            name: name(id),
        })
        .chain([TierLabel {
            id: NEW.into(),
            name: NEW.into(),
        }])
        .map(|label| MatrixRow {
            from: label.id,
            from_name: label.name,
            cells: vec![zero; columns.len()],
        })
        .collect();
    let mut migration = Migration {
        previous: previous.source.clone(),
        previous_as_of: previous.as_of.clone(),
        columns,
        rows: Vec::new(),
        counts: MoveCounts::default(),
        promoted: Vec::new(),
        demoted: Vec::new(),
        new: Vec::new(),
        gone: Vec::new(),
    };
    // Each tier's id and name made once and shared by its movers (a million movers
    // held four strings each).
    let mut labels: BTreeMap<String, (Arc<str>, Arc<str>)> = BTreeMap::new();
    let mut label = |id: &str| -> (Arc<str>, Arc<str>) {
        if let Some(label) = labels.get(id) {
            return label.clone();
        }
        let label: (Arc<str>, Arc<str>) = (Arc::from(id), Arc::from(name(id)));
        labels.insert(id.to_string(), label.clone());
        label
    };
    let mut mover = |id: &str, before: Option<&Standing>, after: Option<&Standing>| {
        let (from, from_name) = before.map(|s| label(&s.tier_id)).unzip();
        let (to, to_name) = after.map(|s| label(&s.tier_id)).unzip();
        Mover {
            customer_id: id.to_string(),
            from,
            from_name,
            to,
            to_name,
            revenue_before: money(before.and_then(|s| s.revenue)),
            revenue_after: money(after.and_then(|s| s.revenue)),
            orders_before: before.and_then(|s| s.orders),
            orders_after: after.and_then(|s| s.orders),
            recency_before: before.and_then(|s| s.recency_days),
            recency_after: after.and_then(|s| s.recency_days),
        }
    };
    let gone_column = order.len();
    let new_row = order.len();
    for (id, after) in &now.customers {
        let before = previous.customers.get(id);
        let to = rank(&after.tier_id);
        let from = before.map_or(new_row, |b| rank(&b.tier_id));
        let cell = &mut rows[from.min(new_row)].cells[to.min(gone_column)];
        cell.customers += 1;
        cell.revenue.units += after.revenue.unwrap_or(0);
        match before {
            None => {
                migration.counts.new += 1;
                migration.new.push(mover(id, None, Some(after)));
            }
            Some(_) if to < from => {
                migration.counts.promoted += 1;
                migration.promoted.push(mover(id, before, Some(after)));
            }
            Some(_) if to > from => {
                migration.counts.demoted += 1;
                migration.demoted.push(mover(id, before, Some(after)));
            }
            Some(_) => migration.counts.stayed += 1,
        }
    }
    for (id, before) in &previous.customers {
        if now.customers.contains_key(id) {
            continue;
        }
        let cell = &mut rows[rank(&before.tier_id).min(new_row)].cells[gone_column];
        cell.customers += 1;
        cell.revenue.units += before.revenue.unwrap_or(0);
        migration.counts.gone += 1;
        migration.gone.push(mover(id, Some(before), None));
    }
    let by_value = |list: &mut Vec<Mover>, now: bool| {
        list.sort_by(|a, b| {
            let value = |m: &Mover| {
                if now {
                    m.revenue_after
                } else {
                    m.revenue_before
                }
                .map_or(i64::MIN, |v| v.units)
            };
            value(b)
                .cmp(&value(a))
                .then_with(|| a.customer_id.cmp(&b.customer_id))
        })
    };
    by_value(&mut migration.promoted, true);
    by_value(&mut migration.demoted, true);
    by_value(&mut migration.new, true);
    by_value(&mut migration.gone, false);
    migration.rows = rows;
    migration
}
