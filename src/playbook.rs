//! Strategy recommendations per segment or tier, loaded from data: the playbook embedded
//! from `templates/playbook.toml`, with texts overridable from the config's `[playbook]`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::TieringError;
use crate::lang::Lang;

const DEFAULT_PLAYBOOK: &str = include_str!("../templates/playbook.toml");

/// Name and strategy of one segment in one language.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    /// Display name, e.g. "Champions".
    pub name: Option<String>,
    /// What to do with customers in the segment.
    pub strategy: Option<String>,
}

/// Both languages of one segment.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Relative share of effort suggested for the segment.
    pub effort: Option<f64>,
    /// English.
    #[serde(default)]
    pub en: Texts,
    /// Simplified Chinese.
    #[serde(default)]
    pub zh: Texts,
}

/// Segment id -> texts.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(transparent)]
pub struct Playbook {
    entries: BTreeMap<String, Entry>,
}

impl Playbook {
    /// The embedded default playbook with `overrides` (from the config) laid over it.
    pub fn with_overrides(overrides: &Playbook) -> Result<Playbook, TieringError> {
        let mut playbook: Playbook = toml::from_str(DEFAULT_PLAYBOOK)
            .map_err(|e| TieringError::config(format!("embedded playbook: {e}"), None))?;
        for (id, entry) in &overrides.entries {
            let target = playbook.entries.entry(id.clone()).or_default();
            if entry.effort.is_some() {
                target.effort = entry.effort;
            }
            merge(&mut target.en, &entry.en);
            merge(&mut target.zh, &entry.zh);
        }
        Ok(playbook)
    }

    /// Display name of a segment (falls back to English, then to the id).
    pub fn name(&self, id: &str, lang: Lang) -> String {
        self.pick(id, lang, |t| t.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// Strategy text of a segment (falls back to English, then to empty).
    pub fn strategy(&self, id: &str, lang: Lang) -> String {
        self.pick(id, lang, |t| t.strategy.clone())
            .unwrap_or_default()
    }

    /// Relative effort weight of a segment (0 when not given).
    pub fn effort(&self, id: &str) -> f64 {
        self.entries.get(id).and_then(|e| e.effort).unwrap_or(0.0)
    }

    /// Ids that have no strategy in either language.
    pub fn missing<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        ids.into_iter()
            .filter(|id| self.pick(id, Lang::En, |t| t.strategy.clone()).is_none())
            .collect()
    }

    fn pick(
        &self,
        id: &str,
        lang: Lang,
        field: impl Fn(&Texts) -> Option<String>,
    ) -> Option<String> {
        let entry = self.entries.get(id)?;
        let localised = match lang {
            Lang::En => &entry.en,
            Lang::Zh => &entry.zh,
        };
        field(localised).or_else(|| field(&entry.en))
    }
}

fn merge(target: &mut Texts, source: &Texts) {
    if source.name.is_some() {
        target.name.clone_from(&source.name);
    }
    if source.strategy.is_some() {
        target.strategy.clone_from(&source.strategy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_playbook_has_both_languages() {
        let playbook = Playbook::with_overrides(&Playbook::default()).unwrap();
        assert_eq!(playbook.name("champions", Lang::En), "Champions");
        assert_eq!(playbook.name("champions", Lang::Zh), "重要价值客户");
        for entry in playbook.entries.values() {
            for texts in [&entry.en, &entry.zh] {
                assert!(texts.name.is_some() && texts.strategy.is_some());
            }
        }
    }

    #[test]
    fn overrides_replace_single_texts() {
        let overrides: Playbook =
            toml::from_str("[champions.en]\nstrategy = \"Call them.\"\n").unwrap();
        let playbook = Playbook::with_overrides(&overrides).unwrap();
        assert_eq!(playbook.strategy("champions", Lang::En), "Call them.");
        assert_eq!(playbook.name("champions", Lang::En), "Champions");
    }
}
