//! Output language for segment names, strategies and labels.

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

/// A language the playbook is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The language a `LANG`/`LC_ALL` value asks for (`zh_CN.UTF-8` -> Chinese).
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}
