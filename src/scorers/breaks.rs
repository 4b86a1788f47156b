//! Absolute breaks for RFM scores (DESIGN §5), as R's rfm package allows: `B − 1`
//! ascending values per metric replace its quantiles. R = B for recency up to the first
//! break … 1 above the last; F and M = 1 below the first break … B from the last. A
//! customer's score then depends on its own value only, so weekly migration is not
//! quantile noise.

use polars::prelude::*;
use serde::Deserialize;

use crate::error::TieringError;
use crate::input::money::{MoneyFormat, format_money, parse_money};

/// `[rfm.breaks]` as written (currency units for revenue).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreaksConfig {
    /// Days since the last purchase.
    pub recency_days: Option<Vec<f64>>,
    /// Purchases.
    pub orders: Option<Vec<f64>>,
    /// Net revenue in currency units.
    pub revenue: Option<Vec<f64>>,
}

/// The metrics that take breaks, in R, F, M order.
pub const METRICS: [&str; 3] = ["recency_days", "orders", "revenue"];

/// Breaks in the metrics' own units (days, purchases, minor units), per metric.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Breaks {
    by_metric: [Option<Vec<i64>>; 3],
    decimals: u32,
}

impl Breaks {
    /// `[rfm.breaks]` with `--breaks metric=v1,v2,…` replacing its metrics, checked
    /// against `bins`.
    pub fn resolve(
        config: &BreaksConfig,
        cli: &[String],
        bins: u32,
        decimals: u32,
    ) -> Result<Breaks, TieringError> {
        let mut breaks = Breaks {
            by_metric: Default::default(),
            decimals,
        };
        for arg in cli {
            let (metric, list) = arg.split_once('=').ok_or_else(|| {
                TieringError::usage(
                    format!("--breaks `{arg}` is not METRIC=V1,V2,…"),
                    Some("e.g. --breaks recency_days=30,90,180,365".into()),
                )
            })?;
            let i = METRICS
                .iter()
                .position(|m| *m == metric.trim())
                .ok_or_else(|| {
                    TieringError::usage(
                        format!("--breaks: `{metric}` takes no breaks"),
                        Some(format!("breaks are for {}", METRICS.join(", "))),
                    )
                })?;
            let origin = format!("--breaks {}", METRICS[i]);
            if breaks.by_metric[i].is_some() {
                return Err(TieringError::usage(
                    format!("{origin} is given twice"),
                    Some("give each metric's breaks once".into()),
                ));
            }
            let units = list
                .split(',')
                .map(|v| text_to_units(v.trim(), i, decimals, &origin))
                .collect::<Result<Vec<_>, _>>()?;
            breaks.by_metric[i] = Some(checked(units, bins, &origin)?);
        }
        let written = [&config.recency_days, &config.orders, &config.revenue];
        for (i, values) in written.into_iter().enumerate() {
            // A metric given with --breaks is taken from the command line alone.
            if let Some(values) = values.as_ref().filter(|_| breaks.by_metric[i].is_none()) {
                let origin = format!("[rfm.breaks] {}", METRICS[i]);
                let units = values
                    .iter()
                    .map(|v| to_units(*v, i, decimals, &origin))
                    .collect::<Result<Vec<_>, _>>()?;
                breaks.by_metric[i] = Some(checked(units, bins, &origin)?);
            }
        }
        Ok(breaks)
    }

    /// The breaks of `metric` (in its units), if it has any.
    pub fn of(&self, metric: &str) -> Option<&[i64]> {
        let i = METRICS.iter().position(|m| *m == metric)?;
        self.by_metric[i].as_deref()
    }

    /// Whether any metric has breaks.
    pub fn any(&self) -> bool {
        self.by_metric.iter().any(Option::is_some)
    }

    /// `recency_days 30/90/180/365` for every metric with breaks (empty without).
    pub fn describe(&self) -> String {
        METRICS
            .iter()
            .zip(&self.by_metric)
            .filter_map(|(metric, values)| {
                let values = values.as_ref()?;
                let shown: Vec<String> = values.iter().map(|v| self.show(metric, *v)).collect();
                Some(format!("{metric} {}", shown.join("/")))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn show(&self, metric: &str, value: i64) -> String {
        if metric == "revenue" {
            format_money(value, self.decimals)
        } else {
            value.to_string()
        }
    }

    /// What a score means under `metric`'s breaks, e.g. `30 < recency_days <= 90`.
    pub fn rule(&self, metric: &str, score: u32, bins: u32) -> Option<String> {
        let values = self.of(metric)?;
        let show = |i: usize| self.show(metric, values[i]);
        let last = values.len() - 1;
        Some(if metric == "recency_days" {
            // Score B is the first interval, 1 the last.
            let k = (bins - score) as usize;
            match k {
                0 => format!("{metric} <= {}", show(0)),
                _ if k > last => format!("{metric} > {}", show(last)),
                _ => format!("{} < {metric} <= {}", show(k - 1), show(k)),
            }
        } else {
            let k = (score - 1) as usize;
            match k {
                0 => format!("{metric} < {}", show(0)),
                _ if k > last => format!("{metric} >= {}", show(last)),
                _ => format!("{} <= {metric} < {}", show(k - 1), show(k)),
            }
        })
    }
}

/// The score of `value` (a column) under `breaks`, as a polars expression.
pub fn score_expr(value: Expr, breaks: &[i64], lower_is_better: bool, bins: u32) -> Expr {
    let count = |above: &dyn Fn(i64) -> Expr| {
        breaks
            .iter()
            .map(|b| above(*b).cast(DataType::Int64))
            .reduce(|a, b| a + b)
            .unwrap_or_else(|| lit(0i64))
    };
    if lower_is_better {
        lit(i64::from(bins)) - count(&|b| value.clone().gt(lit(b)))
    } else {
        lit(1i64) + count(&|b| value.clone().gt_eq(lit(b)))
    }
}

/// The same score in SQL over the column `value`.
pub fn score_sql(value: &str, breaks: &[i64], lower_is_better: bool, bins: u32) -> String {
    let terms: Vec<String> = breaks
        .iter()
        .map(|b| {
            let op = if lower_is_better { ">" } else { ">=" };
            format!("CASE WHEN {value} {op} {b} THEN 1 ELSE 0 END")
        })
        .collect();
    if lower_is_better {
        format!("({bins} - ({}))", terms.join(" + "))
    } else {
        format!("(1 + {})", terms.join(" + "))
    }
}

fn checked(values: Vec<i64>, bins: u32, origin: &str) -> Result<Vec<i64>, TieringError> {
    if values.len() != (bins - 1) as usize {
        return Err(TieringError::config(
            format!(
                "{origin} has {} values; {bins} bins need {}",
                values.len(),
                bins - 1
            ),
            Some("give one value fewer than the bins, ascending".into()),
        ));
    }
    if values.windows(2).any(|w| w[0] >= w[1]) {
        return Err(TieringError::config(
            format!("{origin} must be strictly ascending"),
            Some("e.g. recency_days = [30, 90, 180, 365]".into()),
        ));
    }
    if values.first().is_some_and(|v| *v < 0) {
        return Err(TieringError::config(
            format!("{origin} must not be negative"),
            None,
        ));
    }
    Ok(values)
}

fn to_units(value: f64, metric: usize, decimals: u32, origin: &str) -> Result<i64, TieringError> {
    let scale = if metric == 2 {
        10f64.powi(decimals as i32)
    } else {
        1.0
    };
    let scaled = value * scale;
    let rounded = scaled.round();
    if !value.is_finite() || (scaled - rounded).abs() > 1e-6 || rounded.abs() > 9e15 {
        let what = if metric == 2 {
            format!("an amount with at most {decimals} decimals")
        } else {
            "a whole number".to_string()
        };
        return Err(TieringError::config(
            format!("{origin}: {value} is not {what}"),
            None,
        ));
    }
    Ok(rounded as i64)
}

fn text_to_units(
    text: &str,
    metric: usize,
    decimals: u32,
    origin: &str,
) -> Result<i64, TieringError> {
    let format = MoneyFormat {
        decimals: if metric == 2 { decimals } else { 0 },
        decimal_comma: false,
    };
    parse_money(text, format).map_err(|e| {
        let reason = if metric == 2 {
            e.reason().to_string()
        } else {
            "not a whole number".to_string()
        };
        TieringError::usage(
            format!("{origin}: `{text}`: {reason}"),
            Some("e.g. --breaks recency_days=30,90,180,365".into()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(values: &[i64], breaks: &[i64], lower: bool) -> Vec<i64> {
        let df = df!("v" => values).unwrap();
        let out = df
            .lazy()
            .select([score_expr(col("v"), breaks, lower, 5).alias("s")])
            .collect()
            .unwrap();
        out.column("s")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect()
    }

    #[test]
    fn recency_breaks_score_down_frequency_breaks_score_up() {
        let r = [30, 90, 180, 365];
        assert_eq!(
            scores(&[0, 30, 31, 90, 91, 365, 366], &r, true),
            [5, 5, 4, 4, 3, 2, 1]
        );
        let f = [2, 3, 5, 10];
        assert_eq!(
            scores(&[1, 2, 3, 4, 5, 9, 10, 50], &f, false),
            [1, 2, 3, 3, 4, 4, 5, 5]
        );
    }

    #[test]
    fn command_line_breaks_replace_the_config_s_for_their_metric() {
        let config = BreaksConfig {
            recency_days: Some(vec![30.0, 90.0, 180.0, 365.0]),
            orders: None,
            revenue: None,
        };
        // The config's recency breaks are for 5 bins; --bins 3 with its own breaks works.
        let breaks = Breaks::resolve(&config, &["recency_days=30,90".into()], 3, 2).unwrap();
        assert_eq!(breaks.of("recency_days"), Some(&[30, 90][..]));
        let twice = ["orders=2,3".to_string(), "orders=3,4".to_string()];
        assert!(Breaks::resolve(&config, &twice, 3, 2).is_err());
        let error = Breaks::resolve(&config, &["orders=2.5,3".into()], 3, 2).unwrap_err();
        assert!(
            error.to_string().contains("`2.5`: not a whole number"),
            "{error}"
        );
    }

    #[test]
    fn rules_read_as_the_scores_work() {
        let config = BreaksConfig {
            recency_days: Some(vec![30.0, 90.0, 180.0, 365.0]),
            orders: None,
            revenue: Some(vec![100.0, 250.5, 1000.0, 5000.0]),
        };
        let breaks = Breaks::resolve(&config, &["orders=2,3,5,10".into()], 5, 2).unwrap();
        assert_eq!(
            breaks.of("revenue"),
            Some(&[10000, 25050, 100000, 500000][..])
        );
        assert_eq!(
            breaks.rule("recency_days", 5, 5).unwrap(),
            "recency_days <= 30"
        );
        assert_eq!(
            breaks.rule("recency_days", 4, 5).unwrap(),
            "30 < recency_days <= 90"
        );
        assert_eq!(
            breaks.rule("recency_days", 1, 5).unwrap(),
            "recency_days > 365"
        );
        assert_eq!(breaks.rule("orders", 1, 5).unwrap(), "orders < 2");
        assert_eq!(breaks.rule("orders", 5, 5).unwrap(), "orders >= 10");
        assert_eq!(
            breaks.rule("revenue", 2, 5).unwrap(),
            "100.00 <= revenue < 250.50"
        );
        assert_eq!(
            breaks.describe(),
            "recency_days 30/90/180/365, orders 2/3/5/10, revenue 100.00/250.50/1000.00/5000.00"
        );
    }

    #[test]
    fn wrong_counts_and_order_are_refused() {
        let four = |v: Vec<f64>| BreaksConfig {
            orders: Some(v),
            ..BreaksConfig::default()
        };
        assert!(Breaks::resolve(&four(vec![1.0, 2.0, 3.0]), &[], 5, 2).is_err());
        assert!(Breaks::resolve(&four(vec![1.0, 3.0, 2.0, 4.0]), &[], 5, 2).is_err());
        assert!(Breaks::resolve(&four(vec![1.5, 2.0, 3.0, 4.0]), &[], 5, 2).is_err());
        assert!(Breaks::resolve(&BreaksConfig::default(), &["aov=1,2,3,4".into()], 5, 2).is_err());
    }
}
