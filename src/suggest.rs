//! "Did you mean" suggestions for misspelled names.

/// The candidate nearest to `wanted`, if any is near enough to be a plausible typo.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = crate::input::columns::normalise(wanted);
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&wanted, &crate::input::columns::normalise(c)),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
