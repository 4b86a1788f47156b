//! Raw arguments and the config file resolved once into settings the commands use:
//! CLI > environment > file > defaults.

use crate::cli::{ClvArgs, InputArgs, ScoreOptions, ScoringArgs};
use crate::config::LoadedConfig;
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
use crate::scorers::pareto::ParetoSettings;
use crate::scorers::profit::ProfitSettings;
use crate::scorers::rules::{RuleSet, default_rules};
use crate::scorers::segments::SegmentMap;
use crate::scorers::{ScorerKind, ScorerSettings};

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

/// Everything scoring needs besides the inputs, resolved once per command.
pub struct ScoreSettings {
    /// Scorer choice.
    pub scorer: ScorerKind,
    /// The scoring options in force.
    pub scoring: ScorerSettings,
    /// The as-of date given, if any.
    pub as_of: Option<i32>,
}

/// The command-line flags scoring reads (`score` and `report` take them all; `check` and
/// `sql` take some).
#[derive(Clone, Copy)]
pub struct ScoringFlags<'a> {
    /// `--scorer`, `--bins`, `--as-of`, …
    pub options: &'a ScoreOptions,
    /// `--horizon`, `--time-unit`, … (default: none given).
    pub clv: &'a ClvArgs,
    /// `--currency-decimals`.
    pub currency_decimals: Option<u32>,
}

impl<'a> ScoringFlags<'a> {
    /// The flags of `score` and `report`.
    pub fn of(args: &'a ScoringArgs) -> Self {
        ScoringFlags {
            options: &args.options,
            clv: &args.clv,
            currency_decimals: args.input.currency_decimals,
        }
    }
}

/// Resolve the scoring settings.
pub fn score_settings(
    flags: ScoringFlags<'_>,
    loaded: &LoadedConfig,
) -> Result<ScoreSettings, TieringError> {
    let config = &loaded.config;
    let options = flags.options;
    let bins = options.bins.or(config.rfm.bins).unwrap_or(5);
    if !(2..=10).contains(&bins) {
        return Err(TieringError::config(
            format!("[rfm] bins = {bins} is out of range"),
            Some("use 2 to 10".into()),
        ));
    }
    let lang = options
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
    let money_decimals = flags
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
    let as_of = options
        .as_of
        .as_deref()
        .map(|text| date_arg("--as-of", text))
        .transpose()?;
    Ok(ScoreSettings {
        scorer: options.scorer.or(config.score.scorer).unwrap_or_default(),
        scoring: ScorerSettings {
            bins,
            ties: options.ties.or(config.rfm.ties).unwrap_or_default(),
            breaks: Breaks::resolve(&config.rfm.breaks, &options.breaks, bins, money_decimals)?,
            lang,
            playbook,
            segments,
            pareto: ParetoSettings::resolve(options, &config.pareto)?,
            lifecycle: config.lifecycle.clone().unwrap_or_default(),
            rules: RuleSet::new(config.rules.clone().unwrap_or_else(default_rules))?,
            profit: ProfitSettings::resolve(config.profit.as_ref())?,
            clv: ClvSettings::resolve(flags.clv, config.clv.as_ref())?,
            value: config.value.clone().unwrap_or_default(),
            health: HealthSettings::resolve(config.health.as_ref())?,
            cluster: ClusterSettings::resolve(options.k.as_deref(), config.cluster.as_ref())?,
            tenure_from: config.score.tenure_from.clone(),
            currency_decimals: money_decimals,
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

fn locale_lang() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .map_or(Lang::En, |locale| Lang::from_locale(&locale))
}
