//! The one way the tool writes a file. [`WriteGuard`] knows every file the command reads
//! (orders, customer export, configuration, previous tiers, scores file) and refuses an
//! output that is one of them — by path, through symlinks and through hard links — or
//! that another output of the same run already claimed. Regular files (and new paths)
//! are replaced atomically; special files (devices, FIFOs, sockets, `/dev/stdout`) are
//! written in place and never renamed over, so `-o /dev/null` leaves `/dev/null` a device.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;

use super::atomic::write_atomically;
use crate::error::TieringError;

/// What identifies a file on disk: device and inode where the platform has them (hard
/// links share them), else the canonical path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Canonical(PathBuf),
}

impl FileId {
    /// The identity of an existing regular file (symlinks followed); `None` for missing
    /// paths and special files, which reading does not consume.
    fn of_regular_file(path: &Path) -> Option<FileId> {
        let metadata = std::fs::metadata(path).ok()?;
        if !metadata.is_file() {
            return None;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(FileId::Inode(metadata.dev(), metadata.ino()))
        }
        #[cfg(not(unix))]
        {
            path.canonicalize().ok().map(FileId::Canonical)
        }
    }

    /// The identity a path has or will have: its inode when it exists, else its
    /// directory's canonical path joined with its name.
    fn of_output(path: &Path) -> Option<FileId> {
        if let Some(id) = FileId::of_regular_file(path) {
            return Some(id);
        }
        let name = path.file_name()?;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let parent = parent.canonicalize().ok()?;
        Some(FileId::Canonical(parent.join(name)))
    }
}

/// A file the command reads, which no output may replace.
#[derive(Debug)]
struct Protected {
    role: &'static str,
    display: String,
    id: FileId,
}

/// Every path the command writes goes through [`WriteGuard::write`].
#[derive(Debug, Default)]
pub struct WriteGuard {
    inputs: Vec<Protected>,
    /// Outputs claimed so far: (identity, the option that writes it, path as given).
    claimed: Mutex<Vec<(FileId, String, String)>>,
}

impl WriteGuard {
    /// A guard with no inputs to protect (e.g. `init`).
    pub fn new() -> Self {
        WriteGuard::default()
    }

    /// Protect `path`, read as `role` ("orders", "customer export", ...). Missing paths
    /// and special files are ignored: there is nothing on disk to destroy.
    pub fn protect(&mut self, role: &'static str, path: &Path) {
        if let Some(id) = FileId::of_regular_file(path) {
            self.inputs.push(Protected {
                role,
                display: path.display().to_string(),
                id,
            });
        }
    }

    /// Protect every file that input patterns (paths, globs, `-`) name; `-` protects the
    /// file standard input is redirected from (`score - -o in.csv < in.csv`).
    pub fn protect_patterns(&mut self, role: &'static str, patterns: &[String]) {
        for pattern in patterns {
            if pattern == "-" {
                self.protect_stdin(role);
                continue;
            }
            match crate::input::source::expand(std::slice::from_ref(pattern)) {
                Ok(files) => {
                    for path in files.iter().filter_map(|f| f.path.as_ref()) {
                        self.protect(role, path);
                    }
                }
                Err(_) => self.protect(role, Path::new(pattern)),
            }
        }
    }

    /// Protect the regular file standard input reads, if it reads one.
    pub fn protect_stdin(&mut self, role: &'static str) {
        if let Some(id) = stdio_file_id(Stdio::In) {
            self.inputs.push(Protected {
                role,
                display: "<stdin>".into(),
                id,
            });
        }
    }

    /// Refuse writing results to standard output when it is redirected to (or appends
    /// to) one of the inputs: `score in.csv >> in.csv`.
    pub fn check_stdout(&self) -> Result<(), TieringError> {
        let Some(id) = stdio_file_id(Stdio::Out) else {
            return Ok(());
        };
        match self.inputs.iter().find(|input| input.id == id) {
            Some(input) => Err(TieringError::usage(
                format!(
                    "standard output is the {} `{}`: writing the results would destroy it",
                    input.role, input.display
                ),
                Some("redirect the output to another file, or use -o".into()),
            )),
            None => Ok(()),
        }
    }

    /// Refuse `output` (written by `option`, e.g. `-o` or `--rejects`) when it is an
    /// input or was claimed by another option; otherwise claim it.
    pub fn claim(&self, output: &Path, option: &str) -> Result<(), TieringError> {
        self.refuse_input(output, option)?;
        let Some(id) = FileId::of_output(output) else {
            return Ok(());
        };
        let mut claimed = self.claimed.lock().unwrap_or_else(|e| e.into_inner());
        match claimed.iter().find(|(other, _, _)| *other == id) {
            Some((_, other_option, _)) if other_option != option => Err(TieringError::usage(
                format!(
                    "{option} `{}` is also the file of {other_option}: one would overwrite the other",
                    output.display()
                ),
                Some(format!("give {option} another path")),
            )),
            Some(_) => Ok(()),
            None => {
                claimed.push((id, option.to_string(), output.display().to_string()));
                Ok(())
            }
        }
    }

    fn refuse_input(&self, output: &Path, option: &str) -> Result<(), TieringError> {
        let Some(id) = FileId::of_regular_file(output) else {
            return Ok(());
        };
        match self.inputs.iter().find(|input| input.id == id) {
            Some(input) => Err(TieringError::usage(
                format!(
                    "refusing to overwrite the {} `{}` with {option} `{}`",
                    input.role,
                    input.display,
                    output.display()
                ),
                Some(format!(
                    "give {option} another path: the tool never writes over a file it reads"
                )),
            )),
            None => Ok(()),
        }
    }

    /// Write `output` (for `option`) through `write`: refused when it is an input;
    /// special files written in place; anything else replaced atomically, so a failed
    /// run leaves the earlier file as it was.
    pub fn write(
        &self,
        output: &Path,
        option: &str,
        write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.claim(output, option)?;
        match Target::of(output)? {
            Target::Stdout => write_in_place(output, std::io::stdout().lock(), write),
            Target::Stderr => write_in_place(output, std::io::stderr().lock(), write),
            Target::Special => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(output)
                    .with_context(|| format!("cannot open `{}` for writing", output.display()))?;
                write_in_place(output, file, write)
            }
            Target::Regular(path) => write_atomically(&path, write),
        }
    }
}

enum Stdio {
    In,
    Out,
}

/// The identity of the regular file a standard stream is connected to.
#[cfg(unix)]
fn stdio_file_id(which: Stdio) -> Option<FileId> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let owned = match which {
        Stdio::In => std::io::stdin().as_fd().try_clone_to_owned(),
        Stdio::Out => std::io::stdout().as_fd().try_clone_to_owned(),
    }
    .ok()?;
    let metadata = std::fs::File::from(owned).metadata().ok()?;
    metadata
        .is_file()
        .then(|| FileId::Inode(metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn stdio_file_id(_: Stdio) -> Option<FileId> {
    None
}

/// What kind of file an output path is.
enum Target {
    /// This process's standard output (`/dev/stdout`, `/dev/fd/1`, ...).
    Stdout,
    /// This process's standard error.
    Stderr,
    /// A device, FIFO or socket, or another path under `/dev` or `/proc`.
    Special,
    /// A regular file or a new path (symlinks resolved to the file they point to).
    Regular(PathBuf),
}

impl Target {
    fn of(path: &Path) -> Result<Target, TieringError> {
        let text = path.to_string_lossy();
        match text.as_ref() {
            "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => return Ok(Target::Stdout),
            "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => return Ok(Target::Stderr),
            _ => {}
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Err(TieringError::usage(
                format!("`{}` is a directory", path.display()),
                Some("name a file, e.g. `DIR/tiers.csv`".into()),
            )),
            Ok(m) if !m.is_file() => Ok(Target::Special),
            _ if text.starts_with("/dev/") || text.starts_with("/proc/") => Ok(Target::Special),
            Ok(_) => Ok(Target::Regular(
                path.canonicalize().unwrap_or_else(|_| path.to_path_buf()),
            )),
            Err(_) => Ok(Target::Regular(path.to_path_buf())),
        }
    }
}

fn write_in_place(
    path: &Path,
    out: impl Write,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    write(&mut out)
        .and_then(|()| Ok(out.flush()?))
        .with_context(|| format!("failed to write `{}`", path.display()))
}
