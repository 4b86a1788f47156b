//! Linting a configuration for `tiering check`: uncovered RFM codes, segment rules that
//! never fire or overlap, weights that do not sum to 1, threshold rules with bad SQL or
//! unknown columns, and playbook gaps. Findings are collected, not stopped at the first.

use crate::config::Config;
use crate::metrics::METRIC_COLUMNS;
use crate::playbook::Playbook;
use crate::scorers::profit::ProfitSettings;
use crate::scorers::rules::{RuleSet, default_rules, parse_window};
use crate::scorers::segments::{SegmentMap, level};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Worth knowing.
    Note,
    /// Probably a mistake.
    Warning,
    /// The config cannot be used.
    Error,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Severity.
    pub level: Level,
    /// What was found.
    pub message: String,
}

fn finding(level: Level, message: String) -> Finding {
    Finding { level, message }
}

/// Every finding for `config`.
pub fn lint(config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    let segments = config
        .rfm
        .segment
        .clone()
        .map_or_else(SegmentMap::default, |rules| SegmentMap { rules });
    findings.extend(lint_segments(&segments, config.rfm.bins.unwrap_or(5)));
    match segments.value_order() {
        Ok(order) => findings.push(finding(
            Level::Note,
            format!(
                "RFM segments by value rank, best first (migration follows it): {}",
                order.join(", ")
            ),
        )),
        Err(e) => findings.push(finding(Level::Error, e.to_string())),
    }
    let rules = config.rules.clone().unwrap_or_else(default_rules);
    findings.push(finding(
        Level::Note,
        format!(
            "rule tiers by value rank, best first: {}",
            crate::scorers::rules::value_order(&rules).join(", ")
        ),
    ));
    if let Err(e) = config.profit.clone().unwrap_or_default().validate() {
        findings.push(finding(Level::Error, e.to_string()));
    }
    if let Err(e) = config.clv.clone().unwrap_or_default().validate() {
        findings.push(finding(Level::Error, e.to_string()));
    }
    findings.extend(lint_profit_columns(
        &config.profit.clone().unwrap_or_default(),
    ));
    findings.extend(lint_rules(config));
    findings.extend(lint_lifecycle(
        &config.lifecycle.clone().unwrap_or_default(),
    ));
    match Playbook::with_overrides(&config.playbook) {
        Ok(playbook) => {
            let mut ids: Vec<String> = segments.ids().into_iter().map(str::to_string).collect();
            let rules = config.rules.clone().unwrap_or_else(default_rules);
            ids.extend(rules.into_iter().map(|r| r.tier));
            let missing = playbook.missing(ids.iter().map(String::as_str));
            if !missing.is_empty() {
                findings.push(finding(
                    Level::Warning,
                    format!("the playbook has no strategy for: {}", missing.join(", ")),
                ));
            }
        }
        Err(e) => findings.push(finding(Level::Error, e.to_string())),
    }
    findings
}

/// Lifecycle thresholds that leave a stage empty for every customer.
fn lint_lifecycle(settings: &crate::scorers::lifecycle::LifecycleSettings) -> Vec<Finding> {
    let mut findings = Vec::new();
    if settings.at_risk_ratio >= settings.lapsed_ratio {
        findings.push(finding(
            Level::Warning,
            format!(
                "[lifecycle] at_risk_ratio = {} is not below lapsed_ratio = {}: no customer can be `at_risk` (overdue customers go straight to `lapsed`)",
                settings.at_risk_ratio, settings.lapsed_ratio
            ),
        ));
    }
    if settings.new_days == 0 {
        findings.push(finding(
            Level::Warning,
            "[lifecycle] new_days = 0: only customers whose first purchase is on the as-of date can be `new`".into(),
        ));
    }
    findings
}

/// Uncovered codes (error), rules that never fire (warning), overlaps (note).
pub fn lint_segments(map: &SegmentMap, bins: u32) -> Vec<Finding> {
    let mut findings = Vec::new();
    let uncovered = map.uncovered(bins);
    if !uncovered.is_empty() {
        findings.push(finding(
            Level::Error,
            format!(
                "the RFM segment map leaves {} of {} codes uncovered for {bins} bins: {}",
                uncovered.len(),
                bins.pow(3),
                uncovered
                    .iter()
                    .take(12)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let mut fired = vec![0usize; map.rules.len()];
    let mut shadowed = vec![0usize; map.rules.len()];
    for r in 1..=bins {
        for f in 1..=bins {
            for m in 1..=bins {
                let (lr, lf, lm) = (level(r, bins), level(f, bins), level(m, bins));
                let mut first = true;
                for (i, rule) in map.rules.iter().enumerate() {
                    let matches = rule.r.contains(lr) && rule.f.contains(lf) && rule.m.contains(lm);
                    if matches && first {
                        fired[i] += 1;
                        first = false;
                    } else if matches {
                        shadowed[i] += 1;
                    }
                }
            }
        }
    }
    for (i, rule) in map.rules.iter().enumerate() {
        if fired[i] == 0 {
            findings.push(finding(
                Level::Warning,
                format!(
                    "segment rule {} (`{}`) never fires for {bins} bins: earlier rules take all its codes",
                    i + 1,
                    rule.id
                ),
            ));
        } else if shadowed[i] > 0 {
            findings.push(finding(
                Level::Note,
                format!(
                    "segment rule {} (`{}`) gets {} codes; {} more of its codes go to earlier rules (first match wins)",
                    i + 1,
                    rule.id,
                    fired[i],
                    shadowed[i]
                ),
            ));
        }
    }
    findings
}

fn lint_profit_columns(profit: &ProfitSettings) -> Vec<Finding> {
    profit
        .factors
        .iter()
        .map(|f| f.metric.as_str())
        .filter(|m| !METRIC_COLUMNS.contains(m) && *m != "return_rate")
        .map(|m| {
            finding(
                Level::Note,
                format!(
                    "[profit] factor `{m}` is not a metric: it must come from the customer export"
                ),
            )
        })
        .collect()
}

fn lint_rules(config: &Config) -> Vec<Finding> {
    let rules = config.rules.clone().unwrap_or_else(default_rules);
    match RuleSet::new(rules) {
        Err(e) => vec![finding(Level::Error, e.to_string())],
        Ok(set) => set
            .columns()
            .into_iter()
            .filter(|c| {
                !METRIC_COLUMNS.contains(&c.as_str())
                    && !crate::metrics::MONTHLY_METRICS.contains(&c.as_str())
                    && parse_window(c, 0).is_none()
            })
            .map(|c| {
                finding(
                    Level::Warning,
                    format!(
                        "a threshold rule uses `{c}`, which is no metric, window or steadiness metric: it must come from the customer export"
                    ),
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_has_no_errors_or_warnings() {
        let findings = lint(&Config::default());
        assert!(
            findings.iter().all(|f| f.level == Level::Note),
            "{findings:?}"
        );
    }

    #[test]
    fn shadowed_and_missing_segments_are_found() {
        let map: SegmentMap = toml::from_str(
            "[[segment]]\nid = \"all\"\nr = \"1-5\"\nf = \"1-5\"\nm = \"1-5\"\n[[segment]]\nid = \"never\"\nr = \"5\"\nf = \"5\"\nm = \"5\"\n",
        )
        .unwrap();
        let findings = lint_segments(&map, 5);
        assert!(
            findings
                .iter()
                .any(|f| f.level == Level::Warning && f.message.contains("`never`) never fires"))
        );
        let gap: SegmentMap =
            toml::from_str("[[segment]]\nid = \"top\"\nr = \"5\"\nf = \"1-5\"\nm = \"1-5\"\n")
                .unwrap();
        assert!(
            lint_segments(&gap, 5)
                .iter()
                .any(|f| f.level == Level::Error)
        );
    }
}
