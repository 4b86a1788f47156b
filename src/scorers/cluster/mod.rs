//! `--scorer cluster`: k-means segmentation of purchasers.
//!
//! Features (by default ln(1 + recency_days), ln(1 + orders), ln(1 + max(revenue, 0)) in
//! currency units) are z-scored over purchasers (population standard deviation; a
//! constant feature is left at 0). k-means++ with `n_init` restarts from a fixed seed keeps
//! the lowest inertia; `k = "auto"` takes the best silhouette (on a fixed sample) from 2
//! to 10, ties to the smaller k. Clusters are ranked by their members' mean revenue,
//! highest first (`cluster_1`), and named from their recency / frequency / spend levels
//! against all purchasers ("recent · frequent · high spend"), or by `[cluster] names`.
//! Per customer: `cluster` (the rank), `distance` to its centroid in z units, and the tier
//! columns. Customers without a purchase are `no_purchase`.

pub mod kmeans;
pub mod settings;

use super::columns::{ColumnType, OutputColumn, tier_columns, typed};

use polars::prelude::*;
use serde::Serialize;

use self::kmeans::{Fit, Points, Search};
use self::settings::{AUTO_MAX, ClusterCount, Feature, Transform};
use super::profit::{EXPORT_NUMBER_SCALE, export_number};
use super::segments::NO_PURCHASE;
use super::{
    ExportNumber, FittedModel, ScoreContext, Scored, Scorer, ScorerSettings, require_export_column,
};
use crate::customer_order::sorted_by_id;
use crate::error::TieringError;
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::lang::Lang;
use crate::metrics::MONEY_COLUMNS;

/// The k-means scorer.
pub struct ClusterScorer;

/// What `--fit-report` writes.
#[derive(Clone, Debug, Serialize)]
struct FitReport {
    scorer: &'static str,
    purchasers: usize,
    k: usize,
    k_chosen_by: &'static str,
    candidates: Vec<Candidate>,
    features: Vec<FeatureScale>,
    clusters: Vec<ClusterSummary>,
    inertia: f64,
    silhouette: Option<f64>,
    silhouette_sample: usize,
    iterations: u32,
    converged: bool,
    restart: u32,
    n_init: u32,
    seed: u64,
}

/// One k tried by `auto`.
#[derive(Clone, Debug, Serialize)]
struct Candidate {
    k: usize,
    inertia: f64,
    silhouette: f64,
}

#[derive(Clone, Debug, Serialize)]
struct FeatureScale {
    metric: String,
    transform: Transform,
    mean: f64,
    std: f64,
}

#[derive(Clone, Debug, Serialize)]
struct ClusterSummary {
    cluster: usize,
    name: String,
    size: usize,
    share: f64,
    revenue_share: f64,
    /// In z units, feature by feature.
    centroid_z: Vec<f64>,
    /// In the features' own units (the transform undone).
    centroid: Vec<f64>,
}

impl Scorer for ClusterScorer {
    fn name(&self) -> &'static str {
        "cluster"
    }

    fn describe(&self, ctx: &ScorerSettings) -> String {
        let s = &ctx.cluster;
        let features = s
            .features
            .iter()
            .map(|f| match f.transform {
                Transform::Log => format!("ln {}", f.metric),
                Transform::None => f.metric.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let k = match s.k {
            ClusterCount::Fixed(k) => format!("k = {k}"),
            ClusterCount::Auto => format!("k auto (silhouette, 2–{AUTO_MAX})"),
        };
        match ctx.lang {
            Lang::En => format!(
                "{k}; features {features}; {} restarts, seed {}",
                s.n_init, s.seed
            ),
            Lang::Zh => format!(
                "{k}；特征 {features}；重启 {} 次，种子 {}",
                s.n_init, s.seed
            ),
        }
    }

    fn columns(&self, _settings: &ScorerSettings) -> Vec<OutputColumn> {
        let mut columns = typed(&[
            ("cluster", ColumnType::Integer),
            ("distance", ColumnType::Float),
        ]);
        columns.extend(tier_columns());
        columns
    }

    fn own_options(&self) -> &'static [&'static str] {
        &["--k"]
    }

    fn signature_column(&self) -> &'static str {
        "distance"
    }

    fn sql_refusal(&self) -> Option<&'static str> {
        Some("k-means is an iterative floating-point search, not a query")
    }

    fn fits_a_model(&self) -> bool {
        true
    }

    fn export_numbers(&self, ctx: &ScorerSettings) -> Vec<ExportNumber> {
        // Features that are not export columns (metrics) are skipped by the check.
        ctx.cluster
            .features
            .iter()
            .map(|f| ExportNumber {
                column: f.metric.clone(),
                negative_allowed: true,
            })
            .collect()
    }

    fn score(&self, customers: LazyFrame, ctx: &ScoreContext) -> anyhow::Result<Scored> {
        let s = &ctx.cluster;
        s.validate()?;
        // Sorted so that the points, and so every float sum, come in the same order.
        let frame = sorted_by_id(customers.collect()?, CUSTOMER_ID)?;
        let orders = frame.column("orders")?.i64()?;
        let purchasers: Vec<usize> = (0..frame.height())
            .filter(|&i| orders.get(i).unwrap_or(0) > 0)
            .collect();
        let n = purchasers.len();
        let dims = s.features.len();
        let mut data = vec![0.0; n * dims];
        let mut scales = Vec::with_capacity(dims);
        for (j, feature) in s.features.iter().enumerate() {
            let values = feature_values(&frame, &feature.metric, ctx)?;
            let ids = frame.column(CUSTOMER_ID)?.str()?;
            for (row, &i) in purchasers.iter().enumerate() {
                let value = values[i].ok_or_else(|| {
                    TieringError::NoData {
                        message: format!(
                            "[cluster] feature `{}` has no value for customer `{}`",
                            feature.metric,
                            ids.get(i).unwrap_or_default()
                        ),
                        hint: Some(
                            "every purchaser needs a number in each feature: fill the column, or choose another feature".into(),
                        ),
                    }
                })?;
                data[row * dims + j] = feature.transform.apply(value);
            }
            scales.push(standardise(&mut data, dims, j, feature));
        }
        let points = Points { data: &data, dims };
        let search = |k: usize| Search {
            k,
            n_init: s.n_init,
            seed: s.seed,
            max_iter: s.max_iter,
        };
        let sample = kmeans::sample(n, s.sample, s.seed);
        let (fit, candidates, chosen_by) = match s.k {
            ClusterCount::Fixed(k) => {
                let k = k as usize;
                if n < k {
                    return Err(TieringError::NoData {
                        message: format!(
                            "k = {k} clusters, but only {}",
                            crate::plural::count(n as u64, "purchaser", "purchasers")
                        ),
                        hint: Some("choose a smaller --k".into()),
                    }
                    .into());
                }
                (kmeans::fit(&points, search(k)), Vec::new(), "fixed")
            }
            ClusterCount::Auto => {
                if n < 3 {
                    return Err(TieringError::NoData {
                        message: format!("--k auto needs at least 3 purchasers, not {n}"),
                        hint: Some("give a fixed --k".into()),
                    }
                    .into());
                }
                let mut best: Option<(f64, Fit)> = None;
                let mut candidates = Vec::new();
                for k in 2..=(AUTO_MAX as usize).min(n - 1) {
                    let fit = kmeans::fit(&points, search(k));
                    let silhouette = kmeans::silhouette(&points, &fit.labels, k, &sample);
                    candidates.push(Candidate {
                        k,
                        inertia: fit.inertia,
                        silhouette,
                    });
                    if best.as_ref().is_none_or(|(b, _)| silhouette > *b) {
                        best = Some((silhouette, fit));
                    }
                }
                let (_, fit) = best.expect("k from 2");
                (fit, candidates, "silhouette")
            }
        };
        let k = fit.centroids.len() / dims;
        let silhouette = (n > k).then(|| kmeans::silhouette(&points, &fit.labels, k, &sample));
        let revenue = frame.column("revenue")?.i64()?;
        let member_revenue: Vec<i64> = purchasers
            .iter()
            .map(|&i| revenue.get(i).unwrap_or(0))
            .collect();
        let rank_of = ranks(&fit.labels, &member_revenue, k);
        let levels = levels(&frame, &purchasers, &fit.labels, k, ctx.decimals)?;
        let automatic: Vec<String> = levels
            .iter()
            .map(|l| ctx.playbook.name(&l.playbook_key(), ctx.lang))
            .collect();
        let names = names(&automatic, &rank_of, &s.names);
        let strategies: Vec<String> = levels
            .iter()
            .map(|l| ctx.playbook.strategy(&l.playbook_key(), ctx.lang))
            .collect();
        let columns = customer_columns(
            &frame,
            &purchasers,
            &fit,
            &rank_of,
            &names,
            &strategies,
            ctx,
        );
        let scored = frame.hstack(&columns)?;
        let report = report(FitInputs {
            fit: &fit,
            scales,
            candidates,
            chosen_by,
            rank_of: &rank_of,
            names: &names,
            member_revenue: &member_revenue,
            silhouette,
            sample: sample.len(),
            ctx,
        });
        let formed = scored.column("cluster")?.drop_nulls().n_unique()?;
        let warnings = if formed < report.k {
            vec![format!(
                "only {formed} of the {} clusters asked for have members: the purchasers have fewer distinct feature values than k; choose a smaller --k",
                report.k
            )]
        } else {
            Vec::new()
        };
        Ok(Scored {
            frame: scored.lazy(),
            fit: Some(FittedModel {
                report: serde_json::to_value(&report)?,
            }),
            notes: Vec::new(),
            warnings,
        })
    }

    fn thresholds(&self, scored: LazyFrame, ctx: &ScoreContext) -> LazyFrame {
        let schema = scored.clone().collect_schema().ok();
        let mut aggregates = vec![
            col("revenue").sum().alias("revenue"),
            col("distance")
                .mean()
                .round(4, RoundMode::HalfToEven)
                .alias("mean_distance"),
        ];
        // Centroids in the features' units: the transform undone on the members' mean.
        for feature in &ctx.cluster.features {
            let metric = feature.metric.as_str();
            let is_text = schema
                .as_ref()
                .is_some_and(|s| s.get(metric) == Some(&DataType::String));
            let value = if is_text {
                // An export column, read exactly as the fit read it.
                export_number(metric, schema.as_ref().expect("schema known"))
                    .cast(DataType::Float64)
                    / lit(EXPORT_NUMBER_SCALE as f64)
            } else {
                col(metric).cast(DataType::Float64)
            };
            let value = if MONEY_COLUMNS.contains(&metric) {
                value / lit(10f64.powi(ctx.decimals as i32))
            } else {
                value
            };
            let centroid = match feature.transform {
                Transform::Log => {
                    (when(value.clone().gt(lit(0.0)))
                        .then(value)
                        .otherwise(lit(0.0))
                        + lit(1.0))
                    .log(lit(std::f64::consts::E))
                    .mean()
                    .exp()
                        - lit(1.0)
                }
                Transform::None => value.mean(),
            };
            aggregates.push(
                centroid
                    .round(2, RoundMode::HalfToEven)
                    .alias(format!("{}_centroid", feature.metric)),
            );
        }
        super::per_tier(scored, self.group_order(ctx), aggregates)
    }

    fn threshold_money_columns(&self) -> Vec<&'static str> {
        vec!["revenue"]
    }

    fn group_order(&self, ctx: &ScoreContext) -> Vec<String> {
        let k = match (ctx.cluster.k, &ctx.formed_groups) {
            (ClusterCount::Fixed(k), _) => k as usize,
            (ClusterCount::Auto, Some(formed)) => return formed.clone(),
            (ClusterCount::Auto, None) => AUTO_MAX as usize,
        };
        (1..=k)
            .map(|rank| format!("cluster_{rank}"))
            .chain(std::iter::once(NO_PURCHASE.to_string()))
            .collect()
    }

    /// Every cluster shares one playbook entry (its effort); the strategy of a cluster
    /// comes from its levels and is written per customer.
    fn playbook_key(&self, id: &str) -> String {
        if id.starts_with("cluster_") {
            "cluster".into()
        } else {
            id.into()
        }
    }

    /// Purchasers in recency × revenue (log scales), coloured by cluster, with each
    /// cluster's centre (the transform undone on its members' mean of ln(1 + v)).
    fn report_scatters(
        &self,
        customers: &DataFrame,
        ctx: &ScoreContext,
    ) -> anyhow::Result<Vec<crate::report::charts::Scatter>> {
        let unit = 10f64.powi(ctx.decimals as i32);
        let float = |name: &str| -> PolarsResult<Float64Chunked> {
            Ok(customers
                .column(name)?
                .cast(&DataType::Float64)?
                .f64()?
                .clone())
        };
        let (cluster, recency, revenue) = (
            customers.column("cluster")?.cast(&DataType::Int64)?,
            float("recency_days")?,
            float("revenue")?,
        );
        let cluster = cluster.i64()?;
        let names = customers.column("tier")?.str()?;
        let mut groups: std::collections::BTreeMap<i64, (String, Vec<(f64, f64)>)> =
            std::collections::BTreeMap::new();
        for i in 0..customers.height() {
            let (Some(c), Some(r), Some(m)) = (cluster.get(i), recency.get(i), revenue.get(i))
            else {
                continue;
            };
            let entry = groups
                .entry(c)
                .or_insert_with(|| (names.get(i).unwrap_or_default().to_string(), Vec::new()));
            entry.1.push((r, (m / unit).max(0.0)));
        }
        let centre = |points: &[(f64, f64)]| {
            let n = points.len().max(1) as f64;
            let mean = |f: fn(&(f64, f64)) -> f64| {
                (points.iter().map(|p| f(p).max(0.0).ln_1p()).sum::<f64>() / n).exp_m1()
            };
            (mean(|p| p.0), mean(|p| p.1))
        };
        let zh = ctx.lang == Lang::Zh;
        Ok(vec![crate::report::charts::Scatter {
            title: if zh {
                "聚类：最近购买 × 销售额"
            } else {
                "Clusters: recency × revenue"
            }
            .into(),
            x_axis: if zh {
                "距上次购买天数"
            } else {
                "days since the last purchase"
            }
            .into(),
            y_axis: if zh { "销售额" } else { "revenue" }.into(),
            groups: groups
                .into_values()
                .map(|(name, points)| {
                    let c = centre(&points);
                    (name, points, c)
                })
                .collect(),
        }])
    }

    fn group_title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => "Cluster",
            Lang::Zh => "聚类",
        }
    }

    /// Under `--k auto`, clusters 1 to the highest one with members.
    fn groups_formed(&self, customers: &DataFrame) -> PolarsResult<Option<Vec<String>>> {
        let highest = customers
            .column("cluster")?
            .cast(&DataType::Int64)?
            .i64()?
            .max()
            .unwrap_or(0);
        Ok(Some(
            (1..=highest)
                .map(|rank| format!("cluster_{rank}"))
                .chain(std::iter::once(NO_PURCHASE.to_string()))
                .collect(),
        ))
    }
}

/// A feature column as numbers, one per customer row: metrics as they are (money in
/// currency units), customer-export columns read exactly as decimals.
fn feature_values(
    frame: &DataFrame,
    metric: &str,
    ctx: &ScoreContext,
) -> anyhow::Result<Vec<Option<f64>>> {
    let schema = frame.schema();
    let Some(dtype) = schema.get(metric) else {
        let numeric: Vec<&str> = schema
            .iter()
            .filter(|(_, t)| t.is_primitive_numeric())
            .map(|(name, _)| name.as_str())
            .collect();
        let export = if ctx.export_columns.is_empty() {
            String::new()
        } else {
            format!(
                "; customer-export columns (read as numbers): {}",
                ctx.export_columns.join(", ")
            )
        };
        return Err(TieringError::config(
            format!(
                "[cluster] feature `{metric}` is neither a metric nor a customer-export column"
            ),
            Some(format!("metrics: {}{export}", numeric.join(", "))),
        )
        .into());
    };
    let expr = if *dtype == DataType::String {
        require_export_column(ctx, "[cluster] feature", metric)?;
        export_number(metric, schema).cast(DataType::Float64) / lit(EXPORT_NUMBER_SCALE as f64)
    } else if dtype.is_primitive_numeric() {
        let value = col(metric).cast(DataType::Float64);
        if MONEY_COLUMNS.contains(&metric) {
            value / lit(10f64.powi(ctx.decimals as i32))
        } else {
            value
        }
    } else {
        return Err(TieringError::config(
            format!("[cluster] feature `{metric}` is not a number ({dtype})"),
            Some("choose a numeric metric such as recency_days, orders or revenue".into()),
        )
        .into());
    };
    let values = frame
        .clone()
        .lazy()
        .select([expr.alias("__value")])
        .collect()?;
    Ok(values.column("__value")?.f64()?.iter().collect())
}

/// z-score column `j` in place (population standard deviation; a constant column stays
/// at 0) and return its scale.
fn standardise(data: &mut [f64], dims: usize, j: usize, feature: &Feature) -> FeatureScale {
    let n = data.len() / dims;
    let mean = (0..n).map(|i| data[i * dims + j]).sum::<f64>() / n.max(1) as f64;
    let variance = (0..n)
        .map(|i| (data[i * dims + j] - mean).powi(2))
        .sum::<f64>()
        / n.max(1) as f64;
    let std = variance.sqrt();
    let scale = if std > 0.0 { std } else { 1.0 };
    for i in 0..n {
        data[i * dims + j] = (data[i * dims + j] - mean) / scale;
    }
    FeatureScale {
        metric: feature.metric.clone(),
        transform: feature.transform,
        mean,
        std,
    }
}

/// The rank (1 = highest mean revenue) of every fitted label; ties by label. Means are
/// compared exactly as fractions of cents.
fn ranks(labels: &[u32], revenue: &[i64], k: usize) -> Vec<usize> {
    let mut sums = vec![(0i128, 0i128); k];
    for (label, r) in labels.iter().zip(revenue) {
        let s = &mut sums[*label as usize];
        s.0 += i128::from(*r);
        s.1 += 1;
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| {
        let ((sa, na), (sb, nb)) = (sums[a], sums[b]);
        (sb * na.max(1)).cmp(&(sa * nb.max(1))).then(a.cmp(&b))
    });
    let mut rank_of = vec![0; k];
    for (rank, label) in order.into_iter().enumerate() {
        rank_of[label] = rank + 1;
    }
    rank_of
}

/// A cluster's recency, frequency and spend against all purchasers.
struct Levels {
    recent: bool,
    frequent: bool,
    high_spend: bool,
}

impl Levels {
    fn playbook_key(&self) -> String {
        format!(
            "cluster_{}_{}_{}",
            if self.recent { "recent" } else { "lapsed" },
            if self.frequent {
                "frequent"
            } else {
                "occasional"
            },
            if self.high_spend { "high" } else { "low" }
        )
    }
}

/// Levels of every label: the members' mean of ln(1 + recency_days), ln(1 + orders) and
/// ln(1 + max(revenue, 0)) against the purchasers' mean, whatever the features.
fn levels(
    frame: &DataFrame,
    purchasers: &[usize],
    labels: &[u32],
    k: usize,
    decimals: u32,
) -> PolarsResult<Vec<Levels>> {
    let unit = 10f64.powi(decimals as i32);
    let read = |name: &str, divisor: f64| -> PolarsResult<Vec<f64>> {
        let column = frame.column(name)?.cast(&DataType::Float64)?;
        let values = column.f64()?;
        Ok(purchasers
            .iter()
            .map(|&i| (values.get(i).unwrap_or(0.0) / divisor).max(0.0).ln_1p())
            .collect())
    };
    let metrics = [
        read("recency_days", 1.0)?,
        read("orders", 1.0)?,
        read("revenue", unit)?,
    ];
    let n = purchasers.len().max(1) as f64;
    let overall: Vec<f64> = metrics.iter().map(|m| m.iter().sum::<f64>() / n).collect();
    Ok((0..k as u32)
        .map(|label| {
            let members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == label).collect();
            let count = members.len().max(1) as f64;
            let mean = |m: &Vec<f64>| members.iter().map(|&i| m[i]).sum::<f64>() / count;
            // Ties (identical customers) fall to the favourable side.
            let margin = |v: f64| 1e-9 * v.abs().max(1.0);
            Levels {
                recent: mean(&metrics[0]) <= overall[0] + margin(overall[0]),
                frequent: mean(&metrics[1]) >= overall[1] - margin(overall[1]),
                high_spend: mean(&metrics[2]) >= overall[2] - margin(overall[2]),
            }
        })
        .collect())
}

/// The name of every label: configured by rank, else the playbook's name of its levels;
/// a repeated name gets ` (2)`, ` (3)` … in rank order.
fn names(automatic: &[String], rank_of: &[usize], configured: &[String]) -> Vec<String> {
    let mut by_rank: Vec<usize> = (0..automatic.len()).collect();
    by_rank.sort_by_key(|&label| rank_of[label]);
    let mut names = vec![String::new(); automatic.len()];
    let mut used: Vec<String> = Vec::new();
    for label in by_rank {
        let base = configured
            .get(rank_of[label] - 1)
            .cloned()
            .unwrap_or_else(|| automatic[label].clone());
        let repeats = used.iter().filter(|u| **u == base).count();
        used.push(base.clone());
        names[label] = if repeats == 0 {
            base
        } else {
            format!("{base} ({})", repeats + 1)
        };
    }
    names
}

/// `cluster`, `distance`, `tier_id`, `tier` and `strategy` for every customer row.
fn customer_columns(
    frame: &DataFrame,
    purchasers: &[usize],
    fit: &Fit,
    rank_of: &[usize],
    names: &[String],
    strategies: &[String],
    ctx: &ScoreContext,
) -> Vec<Column> {
    let rows = frame.height();
    let mut cluster: Vec<Option<i64>> = vec![None; rows];
    let mut distance: Vec<Option<f64>> = vec![None; rows];
    let mut tier_id = vec![NO_PURCHASE.to_string(); rows];
    let mut tier = vec![ctx.playbook.name(NO_PURCHASE, ctx.lang); rows];
    let mut strategy = vec![ctx.playbook.strategy(NO_PURCHASE, ctx.lang); rows];
    for (point, &row) in purchasers.iter().enumerate() {
        let label = fit.labels[point] as usize;
        let rank = rank_of[label];
        cluster[row] = Some(rank as i64);
        distance[row] = Some((fit.distances[point].sqrt() * 1e4).round() / 1e4);
        tier_id[row] = format!("cluster_{rank}");
        tier[row] = names[label].clone();
        strategy[row] = strategies[label].clone();
    }
    vec![
        Column::new("cluster".into(), cluster),
        Column::new("distance".into(), distance),
        Column::new("tier_id".into(), tier_id),
        Column::new("tier".into(), tier),
        Column::new("strategy".into(), strategy),
    ]
}

struct FitInputs<'a> {
    fit: &'a Fit,
    scales: Vec<FeatureScale>,
    candidates: Vec<Candidate>,
    chosen_by: &'static str,
    rank_of: &'a [usize],
    names: &'a [String],
    member_revenue: &'a [i64],
    silhouette: Option<f64>,
    sample: usize,
    ctx: &'a ScoreContext,
}

fn report(inputs: FitInputs) -> FitReport {
    let FitInputs {
        fit,
        scales,
        candidates,
        chosen_by,
        rank_of,
        names,
        member_revenue,
        silhouette,
        sample,
        ctx,
    } = inputs;
    let dims = scales.len();
    let k = fit.centroids.len() / dims;
    let n = fit.labels.len();
    let positive: i128 = member_revenue.iter().map(|r| i128::from(*r)).sum();
    let mut clusters: Vec<ClusterSummary> = (0..k)
        .map(|label| {
            let members: Vec<usize> = (0..n)
                .filter(|&i| fit.labels[i] as usize == label)
                .collect();
            let revenue: i128 = members.iter().map(|&i| i128::from(member_revenue[i])).sum();
            let centroid_z = fit.centroids[label * dims..(label + 1) * dims].to_vec();
            let centroid = centroid_z
                .iter()
                .zip(&scales)
                .map(|(z, s)| {
                    let scale = if s.std > 0.0 { s.std } else { 1.0 };
                    s.transform.invert(z * scale + s.mean)
                })
                .collect();
            ClusterSummary {
                cluster: rank_of[label],
                name: names[label].clone(),
                size: members.len(),
                share: members.len() as f64 / n.max(1) as f64,
                revenue_share: if positive != 0 {
                    revenue as f64 / positive as f64
                } else {
                    0.0
                },
                centroid_z,
                centroid,
            }
        })
        .collect();
    clusters.sort_by_key(|c| c.cluster);
    FitReport {
        scorer: "cluster",
        purchasers: n,
        k,
        k_chosen_by: chosen_by,
        candidates,
        features: scales,
        clusters,
        inertia: fit.inertia,
        silhouette,
        silhouette_sample: sample,
        iterations: fit.iterations,
        converged: fit.converged,
        restart: fit.restart,
        n_init: ctx.cluster.n_init,
        seed: ctx.cluster.seed,
    }
}
