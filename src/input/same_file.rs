//! The same file named twice — `a.csv a.csv`, `a.csv ./a.csv`, a hard link, a symlink,
//! a glob reaching one file by several paths, or a copy with identical bytes — is read
//! once: reading it twice would add every order twice. Standard input named twice
//! (`- -`) is read once too.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::source::InputFile;

/// A file left out because an earlier input is the same file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedInput {
    /// The input left out, as named.
    pub skipped: String,
    /// The earlier input it repeats, as named.
    pub kept: String,
    /// Whether it is the same file on disk (else: another file with the same bytes).
    pub same_file: bool,
}

impl SkippedInput {
    /// The note printed for it.
    pub fn note(&self) -> String {
        if self.skipped == self.kept {
            return format!("`{}` is named twice: read once", self.skipped);
        }
        let how = if self.same_file {
            "is the same file as"
        } else {
            "has the same content as"
        };
        format!("`{}` {how} `{}`: read once", self.skipped, self.kept)
    }
}

/// `files` with every repeat of an earlier file removed (argument order kept), and
/// what was removed. Stdin is never compared.
pub fn distinct_files(files: Vec<InputFile>) -> (Vec<InputFile>, Vec<SkippedInput>) {
    let mut kept: Vec<(InputFile, Option<Identity>)> = Vec::with_capacity(files.len());
    let mut skipped = Vec::new();
    for file in files {
        if file.path.is_none()
            && let Some((stdin, _)) = kept.iter().find(|(k, _)| k.path.is_none())
        {
            skipped.push(SkippedInput {
                skipped: file.display.clone(),
                kept: stdin.display.clone(),
                same_file: true,
            });
            continue;
        }
        let identity = file.path.as_deref().and_then(Identity::of);
        let repeat = identity.as_ref().and_then(|id| {
            kept.iter().find_map(|(earlier, earlier_id)| {
                let earlier_id = earlier_id.as_ref()?;
                if earlier_id.inode == id.inode {
                    Some((earlier, true))
                } else if earlier_id.len == id.len
                    && same_bytes(earlier.path.as_deref()?, file.path.as_deref()?)
                {
                    Some((earlier, false))
                } else {
                    None
                }
            })
        });
        match repeat {
            Some((earlier, same_file)) => skipped.push(SkippedInput {
                skipped: file.display.clone(),
                kept: earlier.display.clone(),
                same_file,
            }),
            None => kept.push((file, identity)),
        }
    }
    (kept.into_iter().map(|(f, _)| f).collect(), skipped)
}

/// A regular file's place on disk and its size.
struct Identity {
    inode: (u64, u64),
    len: u64,
}

impl Identity {
    fn of(path: &Path) -> Option<Identity> {
        let metadata = std::fs::metadata(path).ok()?;
        if !metadata.is_file() {
            return None;
        }
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            (metadata.dev(), metadata.ino())
        };
        #[cfg(not(unix))]
        let inode = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            path.canonicalize().ok()?.hash(&mut hasher);
            (0, hasher.finish())
        };
        Some(Identity {
            inode,
            len: metadata.len(),
        })
    }
}

/// Whether two files of equal size hold the same bytes (compared, not hashed).
fn same_bytes(a: &Path, b: &Path) -> bool {
    let (Ok(a), Ok(b)) = (File::open(a), File::open(b)) else {
        return false;
    };
    let (mut a, mut b) = (
        BufReader::with_capacity(1 << 16, a),
        BufReader::with_capacity(1 << 16, b),
    );
    let (mut left, mut right) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let Ok(n) = read_full(&mut a, &mut left) else {
            return false;
        };
        let Ok(m) = read_full(&mut b, &mut right) else {
            return false;
        };
        if n != m || left[..n] != right[..m] {
            return false;
        }
        if n == 0 {
            return true;
        }
    }
}

/// Fill `buffer` as far as the reader allows; 0 at the end.
fn read_full(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: &Path, display: &str) -> InputFile {
        InputFile {
            display: display.into(),
            path: Some(path.to_path_buf()),
        }
    }

    #[test]
    fn repeats_by_path_link_or_content_are_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let copy = dir.path().join("copy.csv");
        let other = dir.path().join("other.csv");
        std::fs::write(&a, "x\n1\n").unwrap();
        std::fs::write(&copy, "x\n1\n").unwrap();
        std::fs::write(&other, "x\n2\n").unwrap();
        let files = vec![
            input(&a, "a.csv"),
            input(&dir.path().join(".").join("a.csv"), "./a.csv"),
            input(&copy, "copy.csv"),
            input(&other, "other.csv"),
        ];
        let (kept, skipped) = distinct_files(files);
        let names: Vec<_> = kept.iter().map(|f| f.display.as_str()).collect();
        assert_eq!(names, ["a.csv", "other.csv"]);
        assert_eq!(
            skipped.iter().map(SkippedInput::note).collect::<Vec<_>>(),
            [
                "`./a.csv` is the same file as `a.csv`: read once",
                "`copy.csv` has the same content as `a.csv`: read once"
            ]
        );
    }
}
