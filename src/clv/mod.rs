//! Customer lifetime value from purchase timing: the BG/NBD model for repeat purchases
//! (Fader, Hardie & Lee 2005) and the Gamma-Gamma model for spend per purchase
//! (Fader, Hardie & Lee 2005, "RFM and CLV"), fitted by maximum likelihood.
//!
//! Everything here is plain numerics on per-customer summaries; the scorer and the
//! backtest command turn order lines into [`Summary`] rows and the results into columns.

pub mod bgnbd;
pub mod frame;
pub mod gamma_gamma;
pub mod optimise;
pub mod report;
pub mod special;
pub mod value;

/// One customer's purchase history in model terms, times in the model's time unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Repeat purchases: distinct purchase days − 1.
    pub x: f64,
    /// First to last purchase.
    pub t_x: f64,
    /// First purchase to the as-of date.
    pub age: f64,
}

/// The unit the model counts time in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Days.
    Days,
    /// Weeks of 7 days (the unit of the published CDNOW results).
    #[default]
    Weeks,
}

impl TimeUnit {
    /// Days in one unit.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
        }
    }

    /// The unit's name, plural.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Days => "days",
            TimeUnit::Weeks => "weeks",
        }
    }
}
