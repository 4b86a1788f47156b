//! Turning the user's input arguments into readable byte streams: paths, globs and `-`
//! (stdin); gzip/zstd detected by magic bytes; Parquet recognised by its `PAR1` header,
//! workbooks (xlsx, ods, xls) by theirs;
//! text transcoded from GBK/GB18030/UTF-16 and stripped of a BOM before parsing. Text
//! that is not UTF-8 has its encoding detected (chardetng) unless `--encoding` names it.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::limits::LineLimit;
use crate::error::TieringError;

/// One input named by the user (a path, a glob match, or stdin).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// How messages name it.
    pub display: String,
    /// `None` for stdin.
    pub path: Option<PathBuf>,
}

/// What an input turned out to contain.
pub enum Opened {
    /// Delimited text, already decompressed and transcoded to UTF-8, and the encoding
    /// detected from its bytes when it was not UTF-8 and none was given.
    Text(Box<dyn BufRead + Send>, Option<&'static Encoding>),
    /// Parquet bytes.
    Parquet(Vec<u8>),
    /// An Excel or OpenDocument workbook (xlsx, xls, ods).
    Workbook(Vec<u8>),
}

/// Expand paths, globs and `-` into files, in argument order (glob matches sorted).
pub fn expand(patterns: &[String]) -> Result<Vec<InputFile>, TieringError> {
    let mut files = Vec::new();
    for pattern in patterns {
        if pattern == "-" {
            files.push(InputFile {
                display: "<stdin>".into(),
                path: None,
            });
            continue;
        }
        let path = PathBuf::from(pattern);
        if path.is_dir() {
            return Err(TieringError::InputNotFound {
                pattern: pattern.clone(),
                what: "is a directory, not a file".into(),
                hint: Some(format!("to read every CSV in it, pass `{pattern}/*.csv`")),
            });
        }
        if path.exists() {
            files.push(file_entry(pattern, path));
            continue;
        }
        let is_glob = pattern.contains(['*', '?', '[']);
        if !is_glob {
            return Err(TieringError::InputNotFound {
                pattern: pattern.clone(),
                what: "no such file".into(),
                hint: None,
            });
        }
        let matches = glob::glob(pattern).map_err(|e| {
            TieringError::usage(format!("`{pattern}` is not a valid glob: {}", e.msg), None)
        })?;
        let mut found: Vec<PathBuf> = matches
            .filter_map(Result::ok)
            .filter(|p| p.is_file() && !through_symlink_loop(p))
            .collect();
        if found.is_empty() {
            return Err(TieringError::InputNotFound {
                pattern: pattern.clone(),
                what: "no file matches this pattern".into(),
                hint: None,
            });
        }
        found.sort();
        files.extend(
            found
                .into_iter()
                .map(|p| file_entry(&p.display().to_string(), p)),
        );
    }
    Ok(files)
}

/// Whether `path` passes through a directory symlink that points at one of its own
/// ancestors (`dir/loop -> ..`): a glob following it would reach the same files again
/// and again.
fn through_symlink_loop(path: &Path) -> bool {
    path.ancestors().skip(1).any(|prefix| {
        let is_link = std::fs::symlink_metadata(prefix).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            return false;
        }
        let parent = match prefix.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        match (prefix.canonicalize(), parent.canonicalize()) {
            (Ok(target), Ok(parent)) => parent.starts_with(target),
            _ => false,
        }
    })
}

fn file_entry(display: &str, path: PathBuf) -> InputFile {
    InputFile {
        display: display.to_string(),
        path: Some(path),
    }
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
const PARQUET_MAGIC: &[u8] = b"PAR1";
/// Zip (xlsx, ods) and OLE compound files (xls).
const WORKBOOK_MAGICS: [&[u8]; 2] = [b"PK\x03\x04", b"\xD0\xCF\x11\xE0"];

/// Open an input, detecting compression and Parquet by content, not by name.
pub fn open(input: &InputFile, encoding: Option<&'static Encoding>) -> anyhow::Result<Opened> {
    let raw: Box<dyn Read + Send> = match &input.path {
        Some(path) => Box::new(File::open(path).map_err(|e| open_error(input, e))?),
        None => Box::new(io::stdin()),
    };
    let mut reader = BufReader::with_capacity(1 << 16, raw);
    let head = reader.fill_buf()?.to_vec();
    let decompressed: Box<dyn Read + Send> = if head.starts_with(GZIP_MAGIC) {
        Box::new(flate2::read::MultiGzDecoder::new(reader))
    } else if head.starts_with(ZSTD_MAGIC) {
        Box::new(zstd::stream::read::Decoder::with_buffer(reader)?)
    } else if head.starts_with(PARQUET_MAGIC) {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        return Ok(Opened::Parquet(bytes));
    } else if WORKBOOK_MAGICS.iter().any(|m| head.starts_with(m)) {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        return Ok(Opened::Workbook(bytes));
    } else {
        Box::new(reader)
    };
    let (head, rest) =
        sample(decompressed).map_err(|e| super::rows::unreadable(input, &e.to_string()))?;
    let detected = match encoding {
        Some(forced) => {
            refuse_forced_encoding_on_utf8(input, forced, &head)?;
            None
        }
        None => detect_encoding(&head),
    };
    // UTF-8 (named or detected) passes through untouched, so an invalid byte is an error
    // naming its line, never a silent replacement character.
    let transcode = encoding.or(detected).filter(|e| *e != encoding_rs::UTF_8);
    let decoded = LineLimit::new(
        DecodeReaderBytesBuilder::new()
            .encoding(transcode)
            .bom_sniffing(true)
            .bom_override(true)
            .utf8_passthru(true)
            .strip_bom(true)
            .build(io::Cursor::new(head).chain(rest)),
    );
    Ok(Opened::Text(
        Box::new(BufReader::with_capacity(1 << 16, decoded)),
        detected,
    ))
}

/// `--encoding gbk` given for several files, one of which is UTF-8 (with characters
/// beyond ASCII): reading it as GBK would garble every name in it, silently.
fn refuse_forced_encoding_on_utf8(
    input: &InputFile,
    forced: &'static Encoding,
    head: &[u8],
) -> Result<(), TieringError> {
    let utf8_like = forced == encoding_rs::UTF_8
        || forced == encoding_rs::UTF_16LE
        || forced == encoding_rs::UTF_16BE;
    let valid_utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    if utf8_like || !valid_utf8 || head.is_ascii() {
        return Ok(());
    }
    Err(TieringError::usage(
        format!(
            "`{}` is UTF-8, but --encoding {} was given: reading it so would garble its text",
            input.display,
            forced.name().to_ascii_lowercase()
        ),
        Some("drop --encoding: each file's encoding is detected on its own".into()),
    ))
}

/// Bytes sampled for encoding detection: enough text for chardetng to tell GBK from
/// Big5 or Shift_JIS, small enough to cost nothing.
const SAMPLE_BYTES: u64 = 1 << 20;

/// The first [`SAMPLE_BYTES`] of `reader`, and the reader for the rest.
fn sample(mut reader: Box<dyn Read + Send>) -> io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = Vec::new();
    reader.by_ref().take(SAMPLE_BYTES).read_to_end(&mut head)?;
    Ok((head, reader))
}

/// The encoding of text that is not UTF-8 (`None`: UTF-8, or a BOM that says what it
/// is). Only a sample is judged: UTF-8 that breaks later still fails with its line.
pub fn detect_encoding(head: &[u8]) -> Option<&'static Encoding> {
    const BOMS: [&[u8]; 3] = [b"\xEF\xBB\xBF", b"\xFF\xFE", b"\xFE\xFF"];
    if BOMS.iter().any(|bom| head.starts_with(bom)) {
        return None;
    }
    match std::str::from_utf8(head) {
        Ok(_) => return None,
        // A character cut by the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() => return None,
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(head, head.len() < SAMPLE_BYTES as usize);
    let guess = detector.guess(None, true);
    (guess != encoding_rs::UTF_8).then_some(guess)
}

fn open_error(input: &InputFile, error: io::Error) -> anyhow::Error {
    anyhow::Error::new(error).context(format!("failed to open `{}`", input.display))
}

/// Resolve an `--encoding` label (utf-8, gbk, gb18030, utf-16, utf-16be, big5, ...).
pub fn encoding_for_label(label: &str) -> Result<Option<&'static Encoding>, TieringError> {
    let normalised = label.trim().to_ascii_lowercase();
    // UTF-8 named explicitly is UTF-8 for certain: no detection.
    if normalised == "utf-8" || normalised == "utf8" {
        return Ok(Some(encoding_rs::UTF_8));
    }
    Encoding::for_label(normalised.as_bytes())
        .map(Some)
        .ok_or_else(|| {
            TieringError::usage(
                format!("unknown encoding `{label}`"),
                Some("use utf-8, gbk, gb18030, utf-16 (or another WHATWG encoding label)".into()),
            )
        })
}
