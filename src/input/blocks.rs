//! Delimited text cut into blocks that end on a record boundary, so that each block can be
//! parsed on its own — on any core — with the physical line numbers of the whole file.
//!
//! The cut follows the quoting rules of the `csv` crate's reader (a quote opens a quoted
//! field only at the start of a field, `""` inside quotes is a quote, a line break inside
//! quotes belongs to the field), so a block never splits a record the reader would see
//! as one.

use std::io::{self, Read};

/// Bytes of text read per block before looking for the last record boundary.
pub const BLOCK_BYTES: usize = 4 << 20;

/// Whole records of a text file.
#[derive(Debug, Default)]
pub struct Block {
    /// The records, each ending with its line break (except perhaps the file's last).
    pub bytes: Vec<u8>,
    /// Physical line number (from 1) of the block's first byte.
    pub first_line: u64,
}

/// Buffers of visited blocks, handed back for the next blocks: fresh 4 MiB buffers cost
/// page faults and zeroing on every block (~5% of reading a large file).
#[derive(Clone, Debug, Default)]
pub struct BufferPool(std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>);

impl BufferPool {
    /// Buffers kept at most; more are freed.
    const KEPT: usize = 16;

    /// An empty buffer, reused when one was given back.
    fn take(&self) -> Vec<u8> {
        let reused = self.0.lock().ok().and_then(|mut pool| pool.pop());
        let mut buffer = reused.unwrap_or_default();
        buffer.clear();
        buffer
    }

    /// Give back the buffer of a block that has been visited.
    pub fn give(&self, buffer: Vec<u8>) {
        if let Ok(mut pool) = self.0.lock()
            && pool.len() < Self::KEPT
        {
            pool.push(buffer);
        }
    }
}

/// Splits a reader into [`Block`]s of about `target` bytes.
pub struct Blocks<R> {
    reader: R,
    delimiter: u8,
    target: usize,
    carry: Vec<u8>,
    next_line: u64,
    eof: bool,
    pool: BufferPool,
}

impl<R: Read> Blocks<R> {
    /// Blocks of `reader`, whose first byte is on line `first_line`; their buffers come
    /// from `pool` when blocks are given back to it.
    pub fn new(reader: R, delimiter: u8, target: usize, first_line: u64, pool: BufferPool) -> Self {
        Blocks {
            reader,
            delimiter,
            target: target.max(1),
            carry: Vec::new(),
            next_line: first_line,
            eof: false,
            pool,
        }
    }

    /// Read until `buf` holds `want` bytes or the input ends.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> io::Result<()> {
        // Grown in steps, so a small input does not zero (and fault in) a whole block.
        const STEP: usize = 256 << 10;
        while buf.len() < want && !self.eof {
            let start = buf.len();
            buf.resize(want.min(start + STEP), 0);
            match self.reader.read(&mut buf[start..]) {
                Ok(0) => {
                    buf.truncate(start);
                    self.eof = true;
                }
                Ok(n) => buf.truncate(start + n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => buf.truncate(start),
                Err(e) => {
                    buf.truncate(start);
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    fn next_block(&mut self) -> io::Result<Option<Block>> {
        let mut buf = self.pool.take();
        buf.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut want = self.target.max(buf.len());
        let cut = loop {
            self.fill(&mut buf, want)?;
            if self.eof {
                break buf.len();
            }
            match last_record_end(&buf, self.delimiter) {
                Some(cut) => break cut,
                // One record longer than the block: read on (line length is capped upstream).
                None => want = buf.len() * 2,
            }
        };
        if buf.is_empty() {
            return Ok(None);
        }
        self.carry.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        let first_line = self.next_line;
        self.next_line += memchr::memchr_iter(b'\n', &buf).count() as u64;
        Ok(Some(Block {
            bytes: buf,
            first_line,
        }))
    }
}

impl<R: Read> Iterator for Blocks<R> {
    type Item = io::Result<Block>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_block().transpose()
    }
}

/// Physical line numbers of records in a block, from their byte offsets.
///
/// The `csv` crate's own record line is one short after a CRLF (the LF is taken as part
/// of the next record's start), so lines are counted here: a record's line is that of
/// its first byte that is not a line break.
pub struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    /// Lines of `bytes`, whose first byte is on line `first_line`.
    pub fn new(bytes: &'a [u8], first_line: u64) -> Self {
        LineCounter {
            bytes,
            offset: 0,
            line: first_line,
        }
    }

    /// The line of the record that starts at `offset`; offsets must not decrease.
    pub fn line_at(&mut self, offset: usize) -> u64 {
        let offset = offset.clamp(self.offset, self.bytes.len());
        let breaks = self.bytes[offset..]
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let start = offset + breaks;
        // Spans between records are short: a plain count beats memchr's setup.
        let span = &self.bytes[self.offset..start];
        self.line += span.iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset = start;
        self.line
    }
}

/// Where the reader stands between two bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field (and of a record at the start of the text).
    FieldStart,
    /// In an unquoted field (a quote here is an ordinary byte).
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: `"` continues it, anything else ends it.
    QuoteInQuoted,
}

/// The offset just after the last line break that ends a record in `text`, which starts
/// at a record boundary; `None` if no record ends in it.
fn last_record_end(text: &[u8], delimiter: u8) -> Option<usize> {
    if memchr::memchr(b'"', text).is_none() {
        return memchr::memrchr(b'\n', text).map(|i| i + 1);
    }
    let mut state = State::FieldStart;
    let mut last = None;
    let mut i = 0;
    while i < text.len() {
        // Jump to the next byte that can change the state.
        let next = match state {
            State::Quoted => memchr::memchr(b'"', &text[i..]),
            State::Unquoted => memchr::memchr3(delimiter, b'\n', b'\r', &text[i..]),
            State::FieldStart | State::QuoteInQuoted => Some(0),
        };
        let Some(step) = next else { break };
        i += step;
        let byte = text[i];
        state = match (state, byte) {
            (State::Quoted, _) => State::QuoteInQuoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b'\n') => {
                last = Some(i + 1);
                State::FieldStart
            }
            // A lone CR also ends a record; only cuts after LF are taken.
            (_, b'\r') => State::FieldStart,
            (_, b) if b == delimiter => State::FieldStart,
            (State::FieldStart, b'"') => State::Quoted,
            _ => State::Unquoted,
        };
        i += 1;
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every record of `text` with its line, parsed whole.
    fn records(text: &[u8], first_line: u64) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut lines = LineCounter::new(text, first_line);
        let mut out = Vec::new();
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let line = lines.line_at(record.position().unwrap().byte() as usize);
            out.push((line, record.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    fn blockwise(text: &[u8], target: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        Blocks::new(text, b',', target, 1, BufferPool::default())
            .flat_map(|block| {
                let block = block.unwrap();
                records(&block.bytes, block.first_line)
            })
            .collect()
    }

    #[test]
    fn cuts_only_between_records() {
        let text = b"a,\"x\ny\",1\nb,\"he said \"\"hi\"\"\n\",2\nc,5\" screen,3\r\nd,e,4";
        for target in 1..text.len() + 2 {
            assert_eq!(blockwise(text, target), records(text, 1), "target {target}");
        }
    }

    #[test]
    fn crlf_and_blank_lines_keep_physical_line_numbers() {
        let text = b"h\r\na\r\n\r\nb\r\n\"q\r\nq\"\r\nc";
        let lines: Vec<u64> = records(text, 1).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![1, 2, 4, 5, 7]);
    }

    #[test]
    fn line_numbers_continue_across_blocks() {
        let text = b"a,1\n\nb,2\nc,3\n";
        let lines: Vec<u64> = blockwise(text, 3).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![1, 3, 4]);
    }

    proptest! {
        #[test]
        fn blocks_parse_like_the_whole(
            text in proptest::collection::vec(
                prop_oneof![Just(b'a'), Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b' ')],
                0..200,
            ),
            target in 1usize..64,
        ) {
            prop_assert_eq!(blockwise(&text, target), records(&text, 1));
        }
    }
}
