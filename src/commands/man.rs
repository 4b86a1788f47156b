//! `tiering man`: the man pages (roff) generated from the clap definitions: the main page
//! on stdout, or with `--all DIR` the main page and one page per subcommand, which the
//! main page's SEE ALSO names.

use clap::CommandFactory;

use crate::cli::{Cli, ManArgs};
use crate::error::ExitStatus;
use crate::output::guard::WriteGuard;
use crate::output::stdout::write_stdout;
use crate::printer::Printer;

/// Print the main page, or write every page into `--all DIR`.
pub fn run(args: &ManArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let Some(dir) = &args.all else {
        let page = clap_mangen::Man::new(command);
        write_stdout(|out| Ok(page.render(out)?))?;
        return Ok(ExitStatus::Success);
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create `{}`: {e}", dir.display()))?;
    let guard = WriteGuard::new();
    let mut pages = vec![command.clone()];
    pages.extend(
        command
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .cloned(),
    );
    for page in pages {
        let man = clap_mangen::Man::new(page);
        let path = dir.join(man.get_filename());
        guard.write(&path, "--all", |out| Ok(man.render(out)?))?;
        printer.note(&format!("wrote `{}`", path.display()));
    }
    Ok(ExitStatus::Success)
}
