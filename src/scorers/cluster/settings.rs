//! `[cluster]` and `--k`: how many clusters, on which features, searched how.

use serde::Deserialize;

use crate::error::TieringError;

/// `[cluster]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterSettings {
    /// Clusters: a number, or `auto` (the best silhouette from 2 to 10).
    pub k: ClusterCount,
    /// k-means++ restarts; the lowest inertia is kept.
    pub n_init: u32,
    /// Seed of the restarts' random numbers.
    pub seed: u64,
    /// Lloyd iterations at most per restart.
    pub max_iter: u32,
    /// Purchasers the silhouette is measured on (a fixed sample when there are more).
    pub sample: usize,
    /// The features, each z-scored over purchasers after its transform.
    pub features: Vec<Feature>,
    /// Names replacing the automatic ones, by cluster rank (highest mean revenue first).
    pub names: Vec<String>,
}

/// `k = 4` or `k = "auto"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "CountText")]
pub enum ClusterCount {
    /// Exactly this many.
    Fixed(u32),
    /// The best silhouette from 2 to [`AUTO_MAX`].
    Auto,
}

/// The largest k tried by `auto`.
pub const AUTO_MAX: u32 = 10;
/// The largest k accepted.
pub const K_MAX: u32 = 50;

#[derive(Deserialize)]
#[serde(untagged)]
enum CountText {
    Number(i64),
    Text(String),
}

impl TryFrom<CountText> for ClusterCount {
    type Error = String;

    fn try_from(value: CountText) -> Result<Self, String> {
        match value {
            CountText::Number(n) => ClusterCount::parse(&n.to_string()),
            CountText::Text(t) => ClusterCount::parse(&t),
        }
    }
}

impl ClusterCount {
    /// `4` or `auto`.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.eq_ignore_ascii_case("auto") {
            return Ok(ClusterCount::Auto);
        }
        match text.parse::<u32>() {
            Ok(k) if (2..=K_MAX).contains(&k) => Ok(ClusterCount::Fixed(k)),
            _ => Err(format!(
                "k must be a number of clusters from 2 to {K_MAX}, or auto; not `{text}`"
            )),
        }
    }
}

/// One clustering feature.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feature {
    /// A numeric metric (`recency_days`, `orders`, `revenue`, `profit`, …) or a column
    /// of the customer export.
    pub metric: String,
    /// `log`: ln(1 + max(x, 0)); `none`: x as it is.
    #[serde(default)]
    pub transform: Transform,
}

/// A feature's transform before z-scoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transform {
    /// ln(1 + max(x, 0)): spreads the small values, tames the long tail.
    #[default]
    Log,
    /// The value as it is.
    None,
}

impl Transform {
    /// The transformed value.
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Transform::Log => x.max(0.0).ln_1p(),
            Transform::None => x,
        }
    }

    /// The value whose transform is `y`.
    pub fn invert(self, y: f64) -> f64 {
        match self {
            Transform::Log => y.exp_m1(),
            Transform::None => y,
        }
    }
}

impl Default for ClusterSettings {
    fn default() -> Self {
        let feature = |metric: &str| Feature {
            metric: metric.into(),
            transform: Transform::Log,
        };
        ClusterSettings {
            k: ClusterCount::Fixed(4),
            n_init: 10,
            seed: 0,
            max_iter: 300,
            sample: 2000,
            features: vec![
                feature("recency_days"),
                feature("orders"),
                feature("revenue"),
            ],
            names: Vec::new(),
        }
    }
}

impl ClusterSettings {
    /// `[cluster]` as the config gives it (`file`, else the defaults) with `--k` on
    /// top, validated.
    pub fn resolve(
        k: Option<&str>,
        file: Option<&ClusterSettings>,
    ) -> Result<ClusterSettings, TieringError> {
        let settings = file.cloned().unwrap_or_default().with_k(k)?;
        settings.validate()?;
        Ok(settings)
    }

    /// Restarts, iterations, the sample and the features are usable.
    pub fn validate(&self) -> Result<(), TieringError> {
        let bad =
            |message: String, hint: &str| Err(TieringError::config(message, Some(hint.into())));
        if !(1..=1000).contains(&self.n_init) {
            return bad(
                format!("[cluster] n_init = {} is out of range", self.n_init),
                "use 1 to 1000 restarts (default 10)",
            );
        }
        if !(1..=100_000).contains(&self.max_iter) {
            return bad(
                format!("[cluster] max_iter = {} is out of range", self.max_iter),
                "use 1 to 100000 (default 300)",
            );
        }
        if !(10..=100_000).contains(&self.sample) {
            return bad(
                format!("[cluster] sample = {} is out of range", self.sample),
                "use 10 to 100000 purchasers (default 2000)",
            );
        }
        if self.features.is_empty() {
            return bad(
                "[cluster] features is empty".into(),
                "name at least one metric, e.g. { metric = \"revenue\", transform = \"log\" }",
            );
        }
        if let ClusterCount::Fixed(k) = self.k
            && self.names.len() > k as usize
        {
            return bad(
                format!(
                    "[cluster] names lists {} names for k = {k} clusters",
                    self.names.len()
                ),
                "give at most one name per cluster, by rank (highest mean revenue first)",
            );
        }
        let mut seen = Vec::new();
        for feature in &self.features {
            if seen.contains(&&feature.metric) {
                return bad(
                    format!("[cluster] features name `{}` twice", feature.metric),
                    "list each metric once",
                );
            }
            seen.push(&feature.metric);
        }
        Ok(())
    }

    /// `--k` on top of the config.
    pub fn with_k(mut self, k: Option<&str>) -> Result<Self, TieringError> {
        if let Some(text) = k {
            self.k = ClusterCount::parse(text).map_err(|e| {
                TieringError::usage(format!("--k: {e}"), Some("e.g. --k 4 or --k auto".into()))
            })?;
        }
        Ok(self)
    }
}
