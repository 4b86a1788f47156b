//! What the terminal table and the report share about groups: the columns naming a
//! customer's segment or tier, and the effort shares over the groups present. (The
//! per-tier summary itself is `report::summary::tier_rows`, for both.)

/// The columns that name a customer's group: a stable id and a display label.
#[derive(Clone, Copy, Debug)]
pub struct GroupColumns {
    /// e.g. `segment_id` or `tier_id`.
    pub id: &'static str,
    /// e.g. `segment` or `tier`.
    pub label: &'static str,
}

/// Effort shares: each present group's weight over the sum of the present groups'
/// weights; a group without customers gets none (the terminal table and the report share
/// this, so their shares agree and always sum to 100%).
pub fn effort_shares(efforts: &[f64], present: &[bool]) -> Vec<Option<f64>> {
    let total: f64 = efforts
        .iter()
        .zip(present)
        .filter(|(_, p)| **p)
        .map(|(e, _)| e)
        .sum();
    efforts
        .iter()
        .zip(present)
        .map(|(e, p)| (*p && total > 0.0).then(|| e / total))
        .collect()
}
