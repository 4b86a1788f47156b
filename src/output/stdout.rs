//! Writing to standard output. A reader that goes away (`| head`) ends the run quietly
//! whatever the format: the encoders (Parquet's thrift writer above all) may wrap the
//! broken pipe in their own error types, so the pipe's state is recorded here, at the
//! bottom of the stack, instead of being recognised in each error.

use std::io::{self, Write};

use anyhow::Context;

/// Write to stdout through `write`; a closed pipe is success, any other failure an error.
pub fn write_stdout(
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut out = PipeWatch {
        inner: io::BufWriter::new(io::stdout().lock()),
        closed: false,
    };
    let result = write(&mut out).and_then(|()| Ok(out.flush()?));
    match result {
        Err(_) if out.closed => Ok(()),
        other => other.context("failed to write to standard output"),
    }
}

/// A writer that remembers whether its reader has gone.
struct PipeWatch<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> PipeWatch<W> {
    fn watch<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            self.closed = true;
        }
        result
    }
}

impl<W: Write> Write for PipeWatch<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.watch(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.watch(result)
    }
}
