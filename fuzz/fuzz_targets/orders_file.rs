//! Any bytes as an order export: an error or lines, never a panic; with rejects kept,
//! every data row is either typed or rejected (nothing lost).
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use tiering::input::columns::ExplicitMap;
use tiering::input::dates::DateFormat;
use tiering::input::lines::LineTyping;
use tiering::input::money::MoneyFormat;
use tiering::input::source::InputFile;
use tiering::input::table::TextOptions;
use tiering::input::{InputOptions, load_orders};

fuzz_target!(|bytes: &[u8]| {
    let mut file = tempfile::NamedTempFile::new_in("/dev/shm").expect("temp file");
    file.write_all(bytes).expect("write");
    let input = InputFile {
        display: "fuzz.csv".into(),
        path: Some(file.path().to_path_buf()),
    };
    let options = InputOptions {
        text: TextOptions::default(),
        typing: LineTyping {
            money: MoneyFormat::default(),
            dates: DateFormat::Auto,
        },
        columns: ExplicitMap::new(),
        keep_rejects: true,
    };
    if let Ok(loaded) = load_orders(&[input], &options, &|_| {}) {
        let rows: u64 = loaded.files.iter().map(|f| f.report.rows).sum();
        let kept = tiering::metrics::line_count(&loaded.lines).unwrap();
        let rejected = loaded.rejected.len() as u64;
        assert_eq!(kept + rejected, rows, "{kept} kept + {rejected} rejected");
    }
});
