//! Known platform and CRM exports (templates/layouts.toml): recognised by their header and
//! read with their own mapping, order-level columns, customer identity and statuses. A
//! layout is data, not code: adding one is one entry in the template.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::columns::{Canonical, ExplicitMap, normalise};
use super::status::StatusLists;
use crate::error::TieringError;

const LAYOUTS: &str = include_str!("../../templates/layouts.toml");

/// One known export.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Name for `--layout`.
    pub name: String,
    /// What it is, for messages: `Shopify orders export`.
    pub title: String,
    /// Headers that must all be present for the layout to be recognised.
    pub signature: Vec<String>,
    /// Canonical columns given once per order.
    #[serde(default)]
    pub order_level: Vec<String>,
    /// Canonical column -> header names, the first present is used.
    pub columns: BTreeMap<String, Vec<String>>,
    /// Where guests are identified.
    #[serde(default)]
    pub customer: CustomerIdentity,
    /// The platform's status values, on top of the built-in table.
    #[serde(default)]
    pub statuses: StatusLists,
    /// Amounts are written `1.234,50`.
    #[serde(default)]
    pub decimal_comma: bool,
}

/// The customer of a line whose id column is empty or names a guest.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerIdentity {
    /// Columns tried in order (an email, a phone).
    #[serde(default)]
    pub fallback: Vec<String>,
    /// Id values that mean "a guest" (WooCommerce writes user 0 for every guest).
    #[serde(default)]
    pub guest_ids: Vec<String>,
}

#[derive(Deserialize)]
struct LayoutFile {
    layout: Vec<Layout>,
}

/// Every known layout, in recognition order.
pub fn layouts() -> &'static [Layout] {
    static PARSED: OnceLock<Vec<Layout>> = OnceLock::new();
    PARSED.get_or_init(|| {
        toml::from_str::<LayoutFile>(LAYOUTS)
            .expect("embedded layouts are valid")
            .layout
    })
}

/// `--layout`: recognise by header (default), a named layout, or none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LayoutChoice {
    /// The first layout whose signature the header has.
    #[default]
    Auto,
    /// This layout, whatever the header.
    Named(String),
    /// Plain column detection only.
    Off,
}

impl LayoutChoice {
    /// From the `--layout` value.
    pub fn parse(text: &str) -> Result<LayoutChoice, TieringError> {
        match text.trim() {
            "" | "auto" => Ok(LayoutChoice::Auto),
            "none" | "off" => Ok(LayoutChoice::Off),
            name => {
                find(name)?;
                Ok(LayoutChoice::Named(name.to_string()))
            }
        }
    }
}

fn find(name: &str) -> Result<&'static Layout, TieringError> {
    layouts().iter().find(|l| l.name == name).ok_or_else(|| {
        let names: Vec<&str> = layouts().iter().map(|l| l.name.as_str()).collect();
        TieringError::usage(
            format!("unknown layout `{name}`"),
            Some(format!(
                "layouts: {}, or none (`tiering check --layouts` describes them)",
                names.join(", ")
            )),
        )
    })
}

/// The layout to read `header` with.
pub fn recognise(
    header: &[String],
    choice: &LayoutChoice,
) -> Result<Option<&'static Layout>, TieringError> {
    match choice {
        LayoutChoice::Off => Ok(None),
        LayoutChoice::Named(name) => find(name).map(Some),
        LayoutChoice::Auto => {
            let present: Vec<String> = header.iter().map(|h| normalise(h)).collect();
            Ok(layouts().iter().find(|layout| {
                layout
                    .signature
                    .iter()
                    .all(|s| present.contains(&normalise(s)))
            }))
        }
    }
}

/// Position of the first of `names` in `header`.
pub fn position_of(header: &[String], names: &[String]) -> Option<usize> {
    names.iter().find_map(|name| {
        let wanted = normalise(name);
        header.iter().position(|h| normalise(h) == wanted)
    })
}

impl Layout {
    /// The layout's column choices for this header (the first name present for each).
    pub fn explicit_map(&self, header: &[String]) -> ExplicitMap {
        let mut map = ExplicitMap::new();
        for (canonical, names) in &self.columns {
            let Some(canonical) = Canonical::from_name(canonical) else {
                continue;
            };
            if let Some(i) = position_of(header, names) {
                map.insert(canonical, header[i].clone());
            }
        }
        map
    }

    /// Whether `column` is given once per order.
    pub fn is_order_level(&self, column: Canonical) -> bool {
        self.order_level.iter().any(|c| c == column.name())
    }

    /// One line describing what is read, for `check --layouts`.
    pub fn describe(&self) -> String {
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|(canonical, names)| format!("{canonical} ← {}", names.join(" | ")))
            .collect();
        let mut text = format!(
            "{}: {}\n    recognised by: {}\n    reads: {}",
            self.name,
            self.title,
            self.signature.join(", "),
            columns.join("; ")
        );
        if !self.order_level.is_empty() {
            text.push_str(&format!(
                "\n    once per order: {}",
                self.order_level.join(", ")
            ));
        }
        if !self.customer.fallback.is_empty() {
            let guests = if self.customer.guest_ids.is_empty() {
                String::new()
            } else {
                format!(" (or is {})", self.customer.guest_ids.join(", "))
            };
            text.push_str(&format!(
                "\n    customer when the id is empty{guests}: {}",
                self.customer.fallback.join(", then ")
            ));
        }
        if self.decimal_comma {
            text.push_str("\n    amounts: 1.234,50");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_layout_parses_and_names_known_columns() {
        assert!(layouts().len() >= 9);
        for layout in layouts() {
            for canonical in layout.columns.keys().chain(&layout.order_level) {
                assert!(Canonical::from_name(canonical).is_some(), "{canonical}");
            }
            assert!(
                layout.columns.contains_key("customer_id"),
                "{}",
                layout.name
            );
            assert!(layout.columns.contains_key("order_date"), "{}", layout.name);
        }
    }

    #[test]
    fn layouts_are_recognised_by_their_signature() {
        let shopify = header(&[
            "Name",
            "Email",
            "Financial Status",
            "Paid at",
            "Currency",
            "Total",
            "Created at",
            "Lineitem quantity",
            "Refunded Amount",
        ]);
        let layout = recognise(&shopify, &LayoutChoice::Auto).unwrap().unwrap();
        assert_eq!(layout.name, "shopify");
        let map = layout.explicit_map(&shopify);
        assert_eq!(map[&Canonical::CustomerId], "Email");
        assert_eq!(map[&Canonical::Refund], "Refunded Amount");
        assert!(layout.is_order_level(Canonical::Amount));
        let plain = header(&["customer_id", "order_date", "amount"]);
        assert!(recognise(&plain, &LayoutChoice::Auto).unwrap().is_none());
        assert!(recognise(&shopify, &LayoutChoice::Off).unwrap().is_none());
        assert!(LayoutChoice::parse("shopfy").is_err());
    }
}
