//! Counts with their nouns in the right number: `1 line`, `2 lines` (English only;
//! Chinese nouns do not inflect).

/// `n` and the singular or plural noun.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular_and_zero_plural() {
        assert_eq!(super::count(1u64, "line", "lines"), "1 line");
        assert_eq!(super::count(0u64, "line", "lines"), "0 lines");
        assert_eq!(super::count(2u32, "bad row", "bad rows"), "2 bad rows");
    }
}
