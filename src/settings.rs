//! Raw arguments and the config file resolved once into settings the commands use:
//! CLI > environment > file > defaults.

use crate::cli::{ClvArgs, InputArgs, ScoreOptions, ScoringArgs};
use crate::clv::value::parse_horizon;
use crate::config::{Config, LoadedConfig};
use crate::error::TieringError;
use crate::input::InputOptions;
use crate::input::columns::{Canonical, ExplicitMap, canonical_from_user, parse_map_arg};
use crate::input::dates::{DateFormat, parse_date};
use crate::input::layout::LayoutChoice;
use crate::input::lines::LineTyping;
use crate::input::money::MoneyFormat;
use crate::input::source::encoding_for_label;
use crate::input::table::TextOptions;
use crate::lang::Lang;
use crate::playbook::Playbook;
use crate::scorers::breaks::Breaks;
use crate::scorers::cluster::settings::ClusterSettings;
use crate::scorers::clv::ClvSettings;
use crate::scorers::health::HealthSettings;
use crate::scorers::pareto::{ParetoSettings, parse_cuts};
use crate::scorers::profit::ProfitSettings;
use crate::scorers::rules::{RuleSet, default_rules};
use crate::scorers::segments::SegmentMap;
use crate::scorers::{ScoreContext, ScorerKind};

/// Resolve how inputs are read.
pub fn input_options(
    args: &InputArgs,
    loaded: &LoadedConfig,
    keep_rejects: bool,
) -> Result<InputOptions, TieringError> {
    let file = &loaded.config.input;
    let delimiter = args
        .delimiter
        .as_deref()
        .or(file.delimiter.as_deref())
        .map(parse_delimiter)
        .transpose()?;
    let encoding = match args.encoding.as_deref().or(file.encoding.as_deref()) {
        Some(label) => encoding_for_label(label)?,
        None => None,
    };
    let decimals = args
        .currency_decimals
        .or(file.currency_decimals)
        .unwrap_or(2);
    if decimals > 6 {
        return Err(TieringError::config(
            format!("currency_decimals = {decimals} is out of range"),
            Some("use 0 to 6".into()),
        ));
    }
    let dates = match args.date_format.as_ref().or(file.date_format.as_ref()) {
        Some(pattern) => DateFormat::Pattern(pattern.clone()),
        None => DateFormat::Auto,
    };
    let mut columns = ExplicitMap::new();
    for (canonical, source) in &loaded.config.columns {
        columns.insert(canonical_from_user(canonical)?, source.clone());
    }
    if let Some(column) = &loaded.config.status.column {
        columns.insert(Canonical::Status, column.clone());
    }
    let mut customer_columns = ExplicitMap::new();
    for (canonical, source) in &loaded.config.customer_columns {
        customer_columns.insert(canonical_from_user(canonical)?, source.clone());
    }
    for map in &args.customers_map {
        customer_columns.extend(parse_map_arg(map)?);
    }
    for map in &args.map {
        columns.extend(parse_map_arg(map)?);
    }
    Ok(InputOptions {
        text: TextOptions {
            delimiter,
            encoding,
            sheet: args.sheet.clone(),
        },
        typing: LineTyping {
            money: MoneyFormat {
                decimals,
                decimal_comma: args.decimal_comma || file.decimal_comma.unwrap_or(false),
            },
            dates,
        },
        columns,
        customer_columns,
        keep_rejects,
        dedupe: args.dedupe.unwrap_or_default(),
        layout: match args.layout.as_deref().or(file.layout.as_deref()) {
            Some(name) => LayoutChoice::parse(name)?,
            None => LayoutChoice::Auto,
        },
        statuses: loaded.config.status.clone(),
        keep_currency: args.currency.clone().or_else(|| file.currency.clone()),
        decimals_given: args.currency_decimals.is_some() || file.currency_decimals.is_some(),
    })
}

fn parse_delimiter(text: &str) -> Result<u8, TieringError> {
    match text {
        "\\t" | "tab" | "TAB" | "\t" => Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() => Ok(text.as_bytes()[0]),
        _ => Err(TieringError::usage(
            format!("delimiter `{text}` is not a single ASCII character"),
            Some("examples: --delimiter ';'  --delimiter tab".into()),
        )),
    }
}

/// Everything `score` needs besides the inputs.
pub struct ScoreSettings {
    /// Scorer choice.
    pub scorer: ScorerKind,
    /// Bins, ties, language, playbook, segments (as-of filled in after reading).
    pub context: ScoreContext,
    /// The as-of date given, if any.
    pub as_of: Option<i32>,
}

/// Resolve the scoring settings.
pub fn score_settings(
    args: &ScoringArgs,
    loaded: &LoadedConfig,
) -> Result<ScoreSettings, TieringError> {
    let config = &loaded.config;
    let bins = args.options.bins.or(config.rfm.bins).unwrap_or(5);
    if !(2..=10).contains(&bins) {
        return Err(TieringError::config(
            format!("[rfm] bins = {bins} is out of range"),
            Some("use 2 to 10".into()),
        ));
    }
    let lang = args
        .options
        .lang
        .or(config.output.lang)
        .unwrap_or_else(locale_lang);
    let segments = match &config.rfm.segment {
        Some(rules) => SegmentMap {
            rules: rules.clone(),
        },
        None => SegmentMap::default(),
    };
    segments.value_order()?;
    let playbook = Playbook::with_overrides(&config.playbook)?;
    let money_decimals = args
        .input
        .currency_decimals
        .or(config.input.currency_decimals)
        .unwrap_or(2);
    let missing = playbook.missing(segments.ids());
    if !missing.is_empty() {
        return Err(TieringError::config(
            format!(
                "the playbook has no strategy for segment(s): {}",
                missing.join(", ")
            ),
            Some("add [playbook.<segment>.en] strategy = \"...\" to tiering.toml".into()),
        ));
    }
    let as_of = args
        .options
        .as_of
        .as_deref()
        .map(|text| date_arg("--as-of", text))
        .transpose()?;
    Ok(ScoreSettings {
        scorer: args
            .options
            .scorer
            .or(config.score.scorer)
            .unwrap_or_default(),
        context: ScoreContext {
            as_of: as_of.unwrap_or_default(),
            bins,
            ties: args.options.ties.or(config.rfm.ties).unwrap_or_default(),
            breaks: Breaks::resolve(
                &config.rfm.breaks,
                &args.options.breaks,
                bins,
                money_decimals,
            )?,
            lang,
            playbook,
            segments,
            pareto: pareto_settings(&args.options, config)?,
            lifecycle: config.lifecycle.clone().unwrap_or_default(),
            rules: RuleSet::new(config.rules.clone().unwrap_or_else(default_rules))?,
            profit: profit_settings(config)?,
            decimals: money_decimals,
            clv: clv_settings(&args.clv, config)?,
            value: config.value.clone().unwrap_or_default(),
            health: health_settings(config)?,
            cluster: cluster_settings(&args.options, config)?,
            export_columns: Vec::new(),
            tenure_from: config.score.tenure_from.clone(),
            formed_groups: None,
        },
        as_of,
    })
}

/// A date given on the command line.
pub fn date_arg(flag: &str, text: &str) -> Result<i32, TieringError> {
    parse_date(text, &DateFormat::Auto).map_err(|e| {
        TieringError::usage(
            format!("{flag} `{text}`: {}", e.reason()),
            Some("write it as YYYY-MM-DD".into()),
        )
    })
}

fn pareto_settings(args: &ScoreOptions, config: &Config) -> Result<ParetoSettings, TieringError> {
    let file = &config.pareto;
    let defaults = ParetoSettings::default();
    let cuts = match (&args.cuts, &file.cuts) {
        (Some(text), _) => parse_cuts(text)?,
        (None, Some(text)) => parse_cuts(text)
            .map_err(|e| TieringError::config(format!("[pareto] cuts: {e}"), None))?,
        (None, None) => defaults.cuts,
    };
    Ok(ParetoSettings {
        basis: args.basis.or(file.basis).unwrap_or(defaults.basis),
        cuts,
        by: args.by.or(file.by).unwrap_or(defaults.by),
        method: args.method.or(file.method).unwrap_or(defaults.method),
    })
}

/// `[clv]` with the command-line options on top.
pub fn clv_settings(args: &ClvArgs, config: &Config) -> Result<ClvSettings, TieringError> {
    let mut settings = config.clv.clone().unwrap_or_default();
    if let Some(unit) = args.time_unit {
        settings.time_unit = unit;
    }
    if let Some(horizon) = &args.horizon {
        parse_horizon(horizon).map_err(|e| {
            TieringError::usage(format!("--horizon: {e}"), Some("e.g. --horizon 90d".into()))
        })?;
        settings.horizon = horizon.clone();
    }
    if let Some(rate) = args.discount_rate {
        settings.discount_rate = rate;
    }
    if let Some(threshold) = args.churn_threshold {
        settings.churn_threshold = threshold;
    }
    settings.validate()?;
    Ok(settings)
}

fn profit_settings(config: &Config) -> Result<ProfitSettings, TieringError> {
    let settings = config.profit.clone().unwrap_or_default();
    settings.validate()?;
    Ok(settings)
}

fn cluster_settings(args: &ScoreOptions, config: &Config) -> Result<ClusterSettings, TieringError> {
    let settings = config
        .cluster
        .clone()
        .unwrap_or_default()
        .with_k(args.k.as_deref())?;
    settings.validate()?;
    Ok(settings)
}

fn health_settings(config: &Config) -> Result<HealthSettings, TieringError> {
    let settings = config.health.clone().unwrap_or_default();
    settings.validate()?;
    Ok(settings)
}

fn locale_lang() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .map_or(Lang::En, |locale| Lang::from_locale(&locale))
}
