//! `tiering.toml`: the schema (serde, unknown keys rejected) and where it is found:
//! `--config PATH`, `TIERING_CONFIG`, or `./tiering.toml`. Values resolve as
//! CLI > environment > file > defaults in `settings`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::TieringError;
use crate::input::status::StatusLists;
use crate::lang::Lang;
use crate::playbook::Playbook;
use crate::scorers::ScorerKind;
use crate::scorers::breaks::BreaksConfig;
use crate::scorers::clv::ClvSettings;
use crate::scorers::lifecycle::LifecycleSettings;
use crate::scorers::ntile::TiePolicy;
use crate::scorers::profit::ProfitSettings;
use crate::scorers::rules::Rule;
use crate::scorers::segments::SegmentRule;

/// The whole configuration file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Scorer choice.
    #[serde(default)]
    pub score: ScoreConfig,
    /// Canonical column -> header name.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Canonical column -> header name in the customer export.
    #[serde(default)]
    pub customer_columns: BTreeMap<String, String>,
    /// Order statuses: the column and values to include or exclude.
    #[serde(default)]
    pub status: StatusLists,
    /// How inputs are read.
    #[serde(default)]
    pub input: InputConfig,
    /// RFM scorer settings.
    #[serde(default)]
    pub rfm: RfmConfig,
    /// Pareto / ABC settings.
    #[serde(default)]
    pub pareto: crate::scorers::pareto::ParetoConfig,
    /// Lifecycle thresholds.
    pub lifecycle: Option<LifecycleSettings>,
    /// Profit contribution settings.
    pub profit: Option<ProfitSettings>,
    /// CLV model settings.
    pub clv: Option<ClvSettings>,
    /// Value-type settings.
    pub value: Option<crate::scorers::value::ValueSettings>,
    /// Account-health settings.
    pub health: Option<crate::scorers::health::HealthSettings>,
    /// k-means settings.
    pub cluster: Option<crate::scorers::cluster::settings::ClusterSettings>,
    /// Threshold rules (`[[rules]]`), replacing the shipped example.
    pub rules: Option<Vec<Rule>>,
    /// Output settings.
    #[serde(default)]
    pub output: OutputConfig,
    /// Strategy text overrides.
    #[serde(default)]
    pub playbook: Playbook,
}

/// `[score]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreConfig {
    /// rfm, pareto, profit, rules, lifecycle, clv, value, health or cluster.
    pub scorer: Option<ScorerKind>,
    /// A customer-export date column the relationship started on (a contract start):
    /// tenure counts from it when it is earlier than the first purchase.
    pub tenure_from: Option<String>,
}

/// `[input]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputConfig {
    /// Field delimiter, one character.
    pub delimiter: Option<String>,
    /// Text encoding label.
    pub encoding: Option<String>,
    /// `1.234,50` amounts.
    pub decimal_comma: Option<bool>,
    /// strftime date format.
    pub date_format: Option<String>,
    /// Minor-unit digits.
    pub currency_decimals: Option<u32>,
    /// A layout name, or `none` (default: recognised by the header).
    pub layout: Option<String>,
    /// Keep the lines of this currency only.
    pub currency: Option<String>,
}

/// `[rfm]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmConfig {
    /// Quantile bins.
    pub bins: Option<u32>,
    /// Tie policy.
    pub ties: Option<TiePolicy>,
    /// Replacement segment map (`[[rfm.segment]]`), ordered, first match wins.
    pub segment: Option<Vec<SegmentRule>>,
    /// Absolute breaks instead of quantiles (`[rfm.breaks]`).
    #[serde(default)]
    pub breaks: BreaksConfig,
}

/// `[output]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Language of names and strategies.
    pub lang: Option<Lang>,
}

/// The config in force and where it came from.
#[derive(Clone, Debug, Default)]
pub struct LoadedConfig {
    /// Parsed values (defaults when no file).
    pub config: Config,
    /// The file read, if any.
    pub path: Option<PathBuf>,
}

/// Find and parse the configuration: an explicit path must exist; `./tiering.toml` is optional.
pub fn load(explicit: Option<&Path>) -> Result<LoadedConfig, TieringError> {
    let path = match explicit {
        Some(path) => {
            if !path.is_file() {
                return Err(TieringError::config(
                    format!("config file `{}` not found", path.display()),
                    Some(
                        "create one with `tiering init`, or drop --config / TIERING_CONFIG".into(),
                    ),
                ));
            }
            path.to_path_buf()
        }
        None => {
            let default = PathBuf::from("tiering.toml");
            if !default.is_file() {
                return Ok(LoadedConfig::default());
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        TieringError::config(
            format!("cannot read config `{}`: {e}", path.display()),
            None,
        )
    })?;
    let config = parse(&text).map_err(|message| {
        TieringError::config(format!("`{}`: {message}", path.display()), None)
    })?;
    Ok(LoadedConfig {
        config,
        path: Some(path),
    })
}

/// Parse config text; the error names the line and the key, and for an unknown key the
/// nearest valid one.
pub fn parse(text: &str) -> Result<Config, String> {
    toml::from_str(text).map_err(|e| {
        let message = e.to_string();
        let mut text = message.trim_end().replace('\n', "\n  ");
        if let Some(near) = nearest_key(&message) {
            text.push_str(&format!("\n  hint: did you mean `{near}`?"));
        }
        text
    })
}

/// From serde's "unknown field `binz`, expected one of `bins`, `ties`" (or "unknown
/// variant"): the nearest valid name.
fn nearest_key(message: &str) -> Option<String> {
    let rest = message
        .split("unknown field `")
        .nth(1)
        .or_else(|| message.split("unknown variant `").nth(1))?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    crate::suggest::closest(unknown, expected.iter().copied()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors() {
        let err = parse("[rfm]\nbinz = 4\n").unwrap_err();
        assert!(err.contains("binz"), "{err}");
        assert!(err.contains("did you mean `bins`?"), "{err}");
    }

    #[test]
    fn reads_every_section() {
        let config = parse(
            "[columns]\ncustomer_id = \"Kunde\"\n[input]\nencoding = \"gbk\"\n[rfm]\nbins = 4\nties = \"split\"\n[output]\nlang = \"zh\"\n[playbook.champions.en]\nstrategy = \"x\"\n",
        )
        .unwrap();
        assert_eq!(config.rfm.bins, Some(4));
        assert_eq!(config.rfm.ties, Some(TiePolicy::Split));
        assert_eq!(config.output.lang, Some(Lang::Zh));
        assert_eq!(config.columns["customer_id"], "Kunde");
    }
}
