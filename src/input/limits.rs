//! Limits that make hostile inputs fail with a message instead of exhausting memory: a
//! physical line may hold at most [`MAX_LINE_BYTES`] (the CSV reader buffers a whole
//! record), a file at most [`MAX_COLUMNS`] columns.

use std::io::{self, Read};

/// Longest physical line read (64 MiB: far beyond any real export's row).
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Most columns read from one file.
pub const MAX_COLUMNS: usize = 10_000;

/// A reader that fails once a line grows beyond [`MAX_LINE_BYTES`].
pub struct LineLimit<R> {
    inner: R,
    since_newline: usize,
    newlines: u64,
}

impl<R> LineLimit<R> {
    /// Guard `inner`.
    pub fn new(inner: R) -> Self {
        LineLimit {
            inner,
            since_newline: 0,
            newlines: 0,
        }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        match memchr::memrchr(b'\n', chunk) {
            Some(last) => {
                self.newlines += memchr::memchr_iter(b'\n', chunk).count() as u64;
                self.since_newline = n - last - 1;
            }
            None => self.since_newline += n,
        }
        if self.since_newline > MAX_LINE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "line {} is longer than {} MiB, the most tiering reads in one line (is this really a CSV export?)",
                    self.newlines + 1,
                    MAX_LINE_BYTES >> 20
                ),
            ));
        }
        Ok(n)
    }
}

/// The error for a file with too many columns.
pub fn too_many_columns(columns: usize) -> String {
    format!(
        "it has {columns} columns; tiering reads files of at most {MAX_COLUMNS} columns (is the delimiter right?)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fail_and_normal_ones_pass() {
        let normal = "a,b\n".repeat(1000);
        let mut out = Vec::new();
        LineLimit::new(normal.as_bytes())
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), normal.len());
        let long = vec![b'9'; MAX_LINE_BYTES + 2];
        let mut input = b"h\nx\n".to_vec();
        input.extend(long);
        let error = LineLimit::new(input.as_slice())
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("line 3 is longer than 64 MiB"),
            "{error}"
        );
    }
}
