//! The RFM segment map: an ordered list of rules over R, F and M scores on a 1-5 scale,
//! first match wins. Scores from other bin counts are rescaled to 1-5 first, so one map
//! serves every `--bins`; coverage of every code is checked, not assumed.

use std::ops::RangeInclusive;

use polars::prelude::*;
use serde::Deserialize;

use crate::error::TieringError;
use crate::lang::Lang;
use crate::playbook::Playbook;

const DEFAULT_SEGMENTS: &str = include_str!("../../templates/segments.toml");

/// The id of the segment of customers without a purchase.
pub const NO_PURCHASE: &str = "no_purchase";

/// A range of 1-5 levels written as `"4-5"` or `"5"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Levels(RangeInclusive<u32>);

impl Levels {
    /// Whether a 1-5 level is in the range.
    pub fn contains(&self, level: u32) -> bool {
        self.0.contains(&level)
    }
}

impl<'de> Deserialize<'de> for Levels {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_levels(&text).map_err(serde::de::Error::custom)
    }
}

fn parse_levels(text: &str) -> Result<Levels, String> {
    let (low, high) = text.split_once('-').unwrap_or((text, text));
    let parse = |s: &str| s.trim().parse::<u32>().ok().filter(|v| (1..=5).contains(v));
    match (parse(low), parse(high)) {
        (Some(l), Some(h)) if l <= h => Ok(Levels(l..=h)),
        _ => Err(format!(
            "`{text}` is not a score range on the 1-5 scale (write \"4-5\" or \"3\")"
        )),
    }
}

/// One rule of the map.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SegmentRule {
    /// Stable id, also the playbook key.
    pub id: String,
    /// Recency levels.
    pub r: Levels,
    /// Frequency levels.
    pub f: Levels,
    /// Monetary levels.
    pub m: Levels,
    /// Value rank, 1 = most valuable (separate from the match order).
    pub rank: Option<u32>,
}

impl SegmentRule {
    fn matches(&self, r: u32, f: u32, m: u32) -> bool {
        self.r.0.contains(&r) && self.f.0.contains(&f) && self.m.0.contains(&m)
    }
}

/// An ordered segment map.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SegmentMap {
    /// The rules, first match wins.
    #[serde(rename = "segment")]
    pub rules: Vec<SegmentRule>,
}

impl Default for SegmentMap {
    fn default() -> Self {
        toml::from_str(DEFAULT_SEGMENTS).expect("embedded segment map is valid")
    }
}

/// A score in `1..=bins` on the 1-5 scale: 1 stays 1, `bins` becomes 5, rounding half up.
pub fn level(score: u32, bins: u32) -> u32 {
    if bins == 5 {
        return score;
    }
    let span = bins - 1;
    1 + ((score - 1) * 8 + span) / (2 * span)
}

/// The RFM code of three scores: `545`; with 10 bins, `10-4-7`.
pub fn rfm_code(r: u32, f: u32, m: u32, bins: u32) -> String {
    if bins >= 10 {
        format!("{r}-{f}-{m}")
    } else {
        format!("{r}{f}{m}")
    }
}

impl SegmentMap {
    /// The rule that fires for these scores.
    pub fn segment_for(&self, r: u32, f: u32, m: u32, bins: u32) -> Option<&SegmentRule> {
        let (r, f, m) = (level(r, bins), level(f, bins), level(m, bins));
        self.rules.iter().find(|rule| rule.matches(r, f, m))
    }

    /// Codes that no rule covers, for this bin count.
    pub fn uncovered(&self, bins: u32) -> Vec<String> {
        codes(bins)
            .filter(|&(r, f, m)| self.segment_for(r, f, m, bins).is_none())
            .map(|(r, f, m)| rfm_code(r, f, m, bins))
            .collect()
    }

    /// Segment ids in map order, then `no_purchase`.
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for rule in &self.rules {
            if !ids.contains(&rule.id.as_str()) {
                ids.push(&rule.id);
            }
        }
        ids.push(NO_PURCHASE);
        ids
    }

    /// Segment ids by value, best first, then `no_purchase`: by `rank` when the rules
    /// give one (all of them must), else in map order.
    pub fn value_order(&self) -> Result<Vec<String>, TieringError> {
        let ranked = self.rules.iter().filter(|r| r.rank.is_some()).count();
        if ranked == 0 {
            return Ok(self.ids().into_iter().map(str::to_string).collect());
        }
        if ranked < self.rules.len() {
            let missing: Vec<&str> = self
                .rules
                .iter()
                .filter(|r| r.rank.is_none())
                .map(|r| r.id.as_str())
                .collect();
            return Err(TieringError::config(
                format!("[[rfm.segment]] without a rank: {}", missing.join(", ")),
                Some("give every segment a value rank (1 = most valuable), or none".into()),
            ));
        }
        let mut ids: Vec<(u32, usize, &str)> = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            let rank = rule.rank.unwrap_or(u32::MAX);
            match ids.iter().find(|(_, _, id)| *id == rule.id) {
                Some((earlier, _, _)) if *earlier != rank => {
                    return Err(TieringError::config(
                        format!("segment `{}` has two ranks ({earlier} and {rank})", rule.id),
                        Some("rules of one segment share its rank".into()),
                    ));
                }
                Some(_) => {}
                None => ids.push((rank, i, &rule.id)),
            }
        }
        ids.sort();
        if let Some(w) = ids.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(TieringError::config(
                format!(
                    "segments `{}` and `{}` have the same rank {}",
                    w[0].2, w[1].2, w[0].0
                ),
                Some("value ranks order the segments: give each its own".into()),
            ));
        }
        let mut order: Vec<String> = ids.into_iter().map(|(_, _, id)| id.to_string()).collect();
        order.push(NO_PURCHASE.to_string());
        Ok(order)
    }

    /// Every code for `bins` with its segment and strategy:
    /// r_score, f_score, m_score, rfm_code, segment_id, segment, strategy.
    pub fn lookup_table(
        &self,
        bins: u32,
        playbook: &Playbook,
        lang: Lang,
    ) -> Result<DataFrame, TieringError> {
        let uncovered = self.uncovered(bins);
        if !uncovered.is_empty() {
            return Err(TieringError::config(
                format!(
                    "the RFM segment map does not cover {} of the {} codes for {bins} bins: {}",
                    uncovered.len(),
                    bins.pow(3),
                    uncovered
                        .iter()
                        .take(10)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Some(
                    "add a rule for them, or end the map with a catch-all rule (r, f, m = \"1-5\")"
                        .into(),
                ),
            ));
        }
        let mut rows: (Vec<i64>, Vec<i64>, Vec<i64>) = Default::default();
        let (mut code, mut id, mut name, mut strategy) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (r, f, m) in codes(bins) {
            let rule = self.segment_for(r, f, m, bins).expect("coverage checked");
            rows.0.push(i64::from(r));
            rows.1.push(i64::from(f));
            rows.2.push(i64::from(m));
            code.push(rfm_code(r, f, m, bins));
            id.push(rule.id.clone());
            name.push(playbook.name(&rule.id, lang));
            strategy.push(playbook.strategy(&rule.id, lang));
        }
        let height = code.len();
        DataFrame::new(
            height,
            vec![
                Column::new("r_score".into(), rows.0),
                Column::new("f_score".into(), rows.1),
                Column::new("m_score".into(), rows.2),
                Column::new("rfm_code".into(), code),
                Column::new("segment_id".into(), id),
                Column::new("segment".into(), name),
                Column::new("strategy".into(), strategy),
            ],
        )
        .map_err(|e| TieringError::config(format!("segment table: {e}"), None))
    }
}

fn codes(bins: u32) -> impl Iterator<Item = (u32, u32, u32)> {
    (1..=bins).flat_map(move |r| (1..=bins).flat_map(move |f| (1..=bins).map(move |m| (r, f, m))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_map_covers_every_code_for_every_bin_count() {
        let map = SegmentMap::default();
        for bins in 2..=10 {
            assert_eq!(map.uncovered(bins), Vec::<String>::new(), "bins = {bins}");
            let mut seen = 0;
            for (r, f, m) in codes(bins) {
                assert!(map.segment_for(r, f, m, bins).is_some());
                seen += 1;
            }
            assert_eq!(seen, bins.pow(3));
        }
    }

    #[test]
    fn rescaling_keeps_the_ends() {
        for bins in 2..=10 {
            assert_eq!(level(1, bins), 1);
            assert_eq!(level(bins, bins), 5);
            let levels: Vec<u32> = (1..=bins).map(|s| level(s, bins)).collect();
            assert!(levels.windows(2).all(|w| w[0] <= w[1]), "{levels:?}");
        }
        assert_eq!((1..=3).map(|s| level(s, 3)).collect::<Vec<_>>(), [1, 3, 5]);
        assert_eq!(
            (1..=10).map(|s| level(s, 10)).collect::<Vec<_>>(),
            [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
    }

    #[test]
    fn first_match_wins() {
        let map = SegmentMap::default();
        assert_eq!(map.segment_for(5, 5, 5, 5).unwrap().id, "champions");
        assert_eq!(map.segment_for(5, 5, 3, 5).unwrap().id, "loyal");
        assert_eq!(map.segment_for(5, 1, 5, 5).unwrap().id, "new");
        assert_eq!(map.segment_for(1, 5, 5, 5).unwrap().id, "cant_lose");
        assert_eq!(map.segment_for(1, 1, 1, 5).unwrap().id, "lost");
        assert_eq!(map.segment_for(2, 1, 1, 5).unwrap().id, "hibernating");
    }

    #[test]
    fn the_default_map_ranks_by_value_not_match_order() {
        let order = SegmentMap::default().value_order().unwrap();
        let rank = |id: &str| order.iter().position(|o| o == id).unwrap();
        assert!(rank("potential_loyalists") < rank("new"));
        assert!(rank("hibernating") < rank("lost"));
        assert!(rank("champions") < rank("cant_lose"));
        assert_eq!(order.last().unwrap(), NO_PURCHASE);
        assert_eq!(order.len(), 12);
    }

    #[test]
    fn a_gap_in_the_map_is_reported() {
        let map: SegmentMap =
            toml::from_str("[[segment]]\nid = \"top\"\nr = \"5\"\nf = \"1-5\"\nm = \"1-5\"\n")
                .unwrap();
        assert_eq!(map.uncovered(5).len(), 100);
        assert!(parse_levels("0-3").is_err());
        assert!(parse_levels("4-2").is_err());
    }
}
