//! Atomic file writes: write to a temporary file beside the target, then rename over it,
//! so a failed or killed run never leaves a half-written file.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;

/// Write `path` through `write`, replacing it only when `write` succeeds.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let directory = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tiering-").suffix(".tmp");
    // Temporary files are private by default; the result is an ordinary shareable file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let temp = builder
        .tempfile_in(directory)
        .with_context(|| format!("cannot write to `{}`", directory.display()))?;
    let mut writer = BufWriter::new(temp);
    write(&mut writer).with_context(|| format!("failed to write `{}`", path.display()))?;
    writer
        .flush()
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    let temp = writer
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    temp.as_file()
        .sync_all()
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    temp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("failed to replace `{}`", path.display()))?;
    Ok(())
}
