//! `tiering init`: write a commented default `tiering.toml` holding every default — the
//! scorers' settings, the RFM segment map, the threshold rules and the playbook in English
//! and Chinese — so it runs as is and shows what can be changed.

use std::path::Path;

use crate::cli::InitArgs;
use crate::error::{ExitStatus, TieringError};
use crate::output::guard::WriteGuard;

const HEAD: &str = include_str!("../../templates/tiering_head.toml");
const SEGMENTS: &str = include_str!("../../templates/segments.toml");
const RULES: &str = include_str!("../../templates/rules.toml");
const PLAYBOOK: &str = include_str!("../../templates/playbook.toml");

/// The default configuration text.
pub fn default_config() -> String {
    let mut text = String::from(HEAD);
    text.push('\n');
    text.push_str(&prefix_tables(SEGMENTS, "rfm."));
    text.push('\n');
    text.push_str(RULES);
    text.push_str("\n# Strategy texts per segment and tier ([playbook.<id>.<en|zh>]).\n");
    text.push_str(&prefix_tables(PLAYBOOK, "playbook."));
    text
}

/// `[x]` -> `[prefix x]`, `[[x]]` -> `[[prefix x]]`, comments and values unchanged.
fn prefix_tables(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| {
            if let Some(rest) = line.strip_prefix("[[") {
                format!("[[{prefix}{rest}")
            } else if let Some(rest) = line.strip_prefix('[') {
                format!("[{prefix}{rest}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Write the default configuration (refusing to overwrite without `--force`).
pub fn run(args: &InitArgs, printer: &crate::printer::Printer) -> anyhow::Result<ExitStatus> {
    let path: &Path = &args.path;
    if path.exists() && !args.force {
        return Err(TieringError::usage(
            format!("`{}` already exists", path.display()),
            Some("pass --force to overwrite it, or give another path".into()),
        )
        .into());
    }
    let text = default_config();
    WriteGuard::new().write(path, "init", |out| Ok(out.write_all(text.as_bytes())?))?;
    printer.note(&format!(
        "wrote `{}`: every default, commented; edit it, then `tiering check --config {}`",
        path.display(),
        path.display()
    ));
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_parses_and_holds_every_default() {
        let config = crate::config::parse(&default_config()).unwrap();
        assert_eq!(config.rfm.segment.as_ref().map(Vec::len), Some(11));
        assert_eq!(config.rules.as_ref().map(Vec::len), Some(3));
        assert_eq!(
            config.profit.unwrap(),
            crate::scorers::profit::ProfitSettings::default()
        );
        assert_eq!(
            config.clv.unwrap(),
            crate::scorers::clv::ClvSettings::default()
        );
        assert_eq!(
            config.lifecycle.unwrap(),
            crate::scorers::lifecycle::LifecycleSettings::default()
        );
    }
}
