//! Tier KPIs over time, from the dated tier files a cron job leaves
//! (`tiers-YYYY-MM-DD.parquet`): per period and tier, members, retention, churn, upgrades,
//! downgrades and the net revenue the members bought in the period.
//!
//! Definitions (period t runs from the previous file's as-of date, exclusive, to this
//! file's, inclusive; the *base* of tier T is T's members in the previous file):
//! - retention rate: base members who bought in the period (their last purchase is after
//!   the previous as-of date: recency_days < the days between the two dates) ÷ base;
//! - churn rate: base members now in a tier the scorer counts as lapsed (`no_purchase`
//!   and e.g. RFM `lost`, lifecycle `lapsed`) or gone from the files ÷ base; members who
//!   had not bought by the previous date (`no_purchase`) never count as churned;
//! - upgrade / downgrade rate: base members now in a better / worse tier by the scorer's
//!   value rank ÷ base;
//! - revenue: what the tier's members now bought in the period, each customer's net
//!   revenue at this as-of minus at the previous (customers new to the files from 0);
//!   growth: against the same tier's revenue in the period before.
//!
//! Counts are exact integers; rates are those counts' fractions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Money;
use super::previous::{Snapshot, Standing};
use crate::input::dates::epoch_days_of;
use crate::scorers::segments::NO_PURCHASE;

fn parse_iso_date(text: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// The tier files of a history directory: `tiers-YYYY-MM-DD.parquet`, by date.
pub fn tier_files(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(date) = name
            .strip_prefix("tiers-")
            .and_then(|rest| rest.strip_suffix(".parquet"))
        else {
            continue;
        };
        if date.len() == 10 && parse_iso_date(date).is_some() {
            files.push((date.to_string(), entry.path()));
        }
    }
    files.sort();
    Ok(files)
}

/// One tier's KPIs in one period.
#[derive(Clone, Debug, Serialize)]
pub struct TierKpis {
    /// Tier id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Customers in the tier at this period's end.
    pub members: u64,
    /// Customers in the tier at the previous period's end (the base of the rates).
    pub base: Option<u64>,
    /// Of the base: bought in the period.
    pub retained: Option<u64>,
    /// Of the base: now in a lapsed tier.
    pub churned: Option<u64>,
    /// Of the base: now in a better tier.
    pub upgraded: Option<u64>,
    /// Of the base: now in a worse tier.
    pub downgraded: Option<u64>,
    /// retained ÷ base (0–1).
    pub retention_rate: Option<f64>,
    /// churned ÷ base.
    pub churn_rate: Option<f64>,
    /// upgraded ÷ base.
    pub upgrade_rate: Option<f64>,
    /// downgraded ÷ base.
    pub downgrade_rate: Option<f64>,
    /// Net revenue the members bought in the period.
    pub revenue: Option<Money>,
    /// revenue ÷ the tier's revenue in the period before − 1.
    pub revenue_growth: Option<f64>,
}

/// One period: its end date, its tiers (best first) and their totals.
#[derive(Clone, Debug, Serialize)]
pub struct Period {
    /// The as-of date of the period's tier file.
    pub as_of: String,
    /// The previous period's as-of date, when there is one.
    pub since: Option<String>,
    /// Per tier.
    pub tiers: Vec<TierKpis>,
    /// All tiers together.
    pub total: TierKpis,
}

/// Who, in a history, counts as what.
pub struct Rules<'a> {
    /// Tier ids by value, best first.
    pub value_order: &'a [String],
    /// Tier ids that mean a lapsed customer.
    pub lapsed: &'a [String],
    /// Display names by tier id.
    pub names: &'a BTreeMap<String, String>,
    /// Minor-unit digits.
    pub decimals: u32,
    /// The label of the totals row.
    pub total: &'a str,
}

/// The KPIs of every period after the first snapshot (`snapshots` by date, oldest first,
/// each with its as-of date); the first snapshot only serves as the base.
pub fn periods(snapshots: &[&Snapshot], rules: &Rules) -> Vec<Period> {
    let mut periods: Vec<Period> = Vec::new();
    for (i, current) in snapshots.iter().copied().enumerate() {
        let previous = i.checked_sub(1).map(|p| snapshots[p]);
        let before = periods.last();
        periods.push(period(previous, current, before, rules));
    }
    // The oldest snapshot has no base: it is shown only when it is all there is.
    if periods.len() > 1 {
        periods.remove(0);
    }
    periods
}

fn period(
    previous: Option<&Snapshot>,
    current: &Snapshot,
    before: Option<&Period>,
    rules: &Rules,
) -> Period {
    let rank = |id: &str| rules.value_order.iter().position(|t| t == id);
    let mut ids: Vec<String> = rules.value_order.to_vec();
    for snapshot in previous.into_iter().chain(std::iter::once(current)) {
        for id in snapshot.tier_ids() {
            if !ids.iter().any(|t| t == id) {
                ids.push(id.to_string());
            }
        }
    }
    let days = previous.and_then(|p| days_between(p, current));
    let mut total = Counts::default();
    let mut tiers = Vec::new();
    for id in &ids {
        let mut counts = Counts::default();
        for standing in current.customers.values() {
            if standing.tier_id == *id {
                counts.members += 1;
            }
        }
        if let Some(previous) = previous {
            counts.base = Some(0);
            for (customer, was) in &previous.customers {
                if was.tier_id != *id {
                    continue;
                }
                counts.count_move(was, current.customers.get(customer), days, &rank, rules);
            }
            counts.revenue = Some(
                current
                    .customers
                    .iter()
                    .filter(|(_, now)| now.tier_id == *id)
                    .map(|(customer, now)| bought_in_period(now, previous.customers.get(customer)))
                    .sum(),
            );
        }
        if counts.members == 0 && counts.base.unwrap_or(0) == 0 {
            continue;
        }
        total.add(&counts);
        let earlier = before
            .and_then(|b| b.tiers.iter().find(|t| t.id == *id))
            .and_then(|t| t.revenue);
        let name = rules.names.get(id).cloned().unwrap_or_else(|| id.clone());
        tiers.push(counts.kpis(id, &name, earlier, rules.decimals));
    }
    let earlier_total = before.and_then(|b| b.total.revenue);
    Period {
        as_of: current.as_of.clone().unwrap_or_default(),
        since: previous.and_then(|p| p.as_of.clone()),
        tiers,
        total: total.kpis("total", rules.total, earlier_total, rules.decimals),
    }
}

fn days_between(previous: &Snapshot, current: &Snapshot) -> Option<i64> {
    let day = |s: &Snapshot| {
        s.as_of
            .as_deref()
            .and_then(parse_iso_date)
            .map(|d| i64::from(epoch_days_of(d)))
    };
    Some(day(current)? - day(previous)?)
}

/// Net revenue bought between the two snapshots (a customer new to the files from 0).
fn bought_in_period(now: &Standing, was: Option<&Standing>) -> i64 {
    now.revenue.unwrap_or(0) - was.and_then(|w| w.revenue).unwrap_or(0)
}

#[derive(Default)]
struct Counts {
    members: u64,
    base: Option<u64>,
    retained: u64,
    churned: u64,
    upgraded: u64,
    downgraded: u64,
    revenue: Option<i64>,
}

impl Counts {
    fn count_move(
        &mut self,
        was: &Standing,
        now: Option<&Standing>,
        days: Option<i64>,
        rank: &dyn Fn(&str) -> Option<usize>,
        rules: &Rules,
    ) {
        self.base = Some(self.base.unwrap_or(0) + 1);
        let Some(now) = now else {
            // Gone from the files (the export no longer lists them): lapsed, if they had
            // bought.
            if was.tier_id != NO_PURCHASE {
                self.churned += 1;
            }
            return;
        };
        let bought = match (now.recency_days, days) {
            (Some(recency), Some(days)) => recency < days,
            _ => false,
        };
        if bought && now.orders.unwrap_or(0) > 0 {
            self.retained += 1;
        }
        // Who had not bought by the previous date cannot have churned since.
        if rules.lapsed.contains(&now.tier_id) && was.tier_id != NO_PURCHASE {
            self.churned += 1;
        }
        match (rank(&was.tier_id), rank(&now.tier_id)) {
            (Some(a), Some(b)) if b < a => self.upgraded += 1,
            (Some(a), Some(b)) if b > a => self.downgraded += 1,
            _ => {}
        }
    }

    fn add(&mut self, other: &Counts) {
        self.members += other.members;
        if let Some(base) = other.base {
            self.base = Some(self.base.unwrap_or(0) + base);
        }
        self.retained += other.retained;
        self.churned += other.churned;
        self.upgraded += other.upgraded;
        self.downgraded += other.downgraded;
        if let Some(revenue) = other.revenue {
            self.revenue = Some(self.revenue.unwrap_or(0) + revenue);
        }
    }

    fn kpis(&self, id: &str, name: &str, earlier: Option<Money>, decimals: u32) -> TierKpis {
        let of_base = |n: u64| self.base.map(|_| n);
        let rate = |n: u64| self.base.filter(|b| *b > 0).map(|b| n as f64 / b as f64);
        let revenue = self.revenue.map(|r| Money::new(r, decimals));
        TierKpis {
            id: id.to_string(),
            name: name.to_string(),
            members: self.members,
            base: self.base,
            retained: of_base(self.retained),
            churned: of_base(self.churned),
            upgraded: of_base(self.upgraded),
            downgraded: of_base(self.downgraded),
            retention_rate: rate(self.retained),
            churn_rate: rate(self.churned),
            upgrade_rate: rate(self.upgraded),
            downgrade_rate: rate(self.downgraded),
            revenue,
            revenue_growth: match (revenue, earlier) {
                (Some(now), Some(then)) if then.units > 0 => {
                    Some(now.units as f64 / then.units as f64 - 1.0)
                }
                _ => None,
            },
        }
    }
}
